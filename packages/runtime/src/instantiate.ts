/** `instantiate()`: picks the mode, loads the module with wrapped imports, and wires the driver. */
import { createAsyncifyDriver } from './asyncify-driver.ts'
import { createCallQueue } from './call-queue.ts'
import { type CallContext, wrapExports, wrapImports } from './calls.ts'
import { fail, fileLabel } from './errors.ts'
import { createJspiDriver, hasJspi } from './jspi-driver.ts'
import { load } from './load.ts'
import type { WasmMeta } from './meta.ts'
import type { AsyncifyInstance, InstantiateOptions, WasmSources } from './types.ts'

function findMemory(meta: WasmMeta, instance: WebAssembly.Instance, imports: WebAssembly.Imports) {
  const { origin, exportName, importModule, importName } = meta.memory
  const memory =
    origin === 'imported'
      ? (imports[importModule ?? ''] as Record<string, unknown> | undefined)?.[importName ?? '']
      : exportName && instance.exports[exportName]
  return memory instanceof WebAssembly.Memory ? memory : undefined
}

/**
 * Instantiates an asyncified module (or, with JSPI, its original) and returns promise-returning exports.
 * Calls are queued FIFO per instance; see docs/runtime.md for the full semantics.
 */
export async function instantiate(
  sources: WasmSources,
  meta: WasmMeta,
  imports: WebAssembly.Imports = {},
  options: InstantiateOptions = {},
): Promise<AsyncifyInstance> {
  const file = fileLabel(meta.file)
  if (meta.version !== 1) {
    throw fail(
      'ASYNCIFY_META_UNSUPPORTED',
      `instantiate ${file}`,
      `its build metadata has version ${meta.version}, this runtime reads version 1`,
      'Use the same version of unplugin-asyncify and @unplugin-asyncify/runtime',
    )
  }
  const jspi = options.jspi ?? meta.jspi ?? 'auto'
  const engineHasJspi = hasJspi()
  if (jspi === 'only' && !engineHasJspi) {
    throw fail(
      'ASYNCIFY_JSPI_UNAVAILABLE',
      `instantiate ${file}`,
      "jspi is 'only', but this engine has no WebAssembly.Suspending/promising (JSPI ships in Chrome 137, Firefox 153 and Node 25)",
      "Set the jspi option to 'auto' to fall back to Asyncify",
    )
  }
  // A build with jspi 'only' emits just the original bytes, whichever slot the glue put them in.
  const jspiSource = sources.jspi ?? (jspi === 'only' || meta.jspi === 'only' ? sources.asyncify : undefined)
  const mode = engineHasJspi && jspi !== 'off' && jspiSource ? 'jspi' : 'asyncify'
  const source = mode === 'jspi' ? jspiSource : sources.asyncify
  if (!source) {
    throw fail(
      'ASYNCIFY_SOURCE_MISSING',
      `instantiate ${file}`,
      `no module was given for the ${mode} mode`,
      `Pass sources.${mode}`,
    )
  }

  const ctx: CallContext = { meta, depth: 0 }
  const queue = createCallQueue()
  const asyncify = mode === 'asyncify' ? createAsyncifyDriver(ctx, queue) : undefined
  const driver = asyncify ?? createJspiDriver(ctx, queue)
  const { module, instance } = await load(source, wrapImports(ctx, imports, driver))
  const memory = findMemory(meta, instance, imports)
  const sp = meta.stackPointerExport && instance.exports[meta.stackPointerExport]
  if (sp instanceof WebAssembly.Global) {
    ctx.sp = sp
    ctx.spBase = sp.value
  }
  asyncify?.attach(instance, memory, options.buffer)

  return {
    exports: wrapExports(ctx, instance, driver, queue),
    instance,
    module,
    memory,
    mode,
    get unwindBuffer() {
      return asyncify?.buffer
    },
  }
}
