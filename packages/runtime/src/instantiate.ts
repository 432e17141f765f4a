/** `instantiate()`: picks the mode, loads the module with wrapped imports, and wires the driver. */
import { createAsyncifyDriver } from './asyncify-driver.ts'
import { type CallContext, wrapExports, wrapImports } from './calls.ts'
import { fail, fileLabel } from './errors.ts'
import { createJspiDriver, hasJspi } from './jspi-driver.ts'
import { load } from './load.ts'
import type { WasmMeta } from './meta.ts'
import { createScheduler } from './scheduler.ts'
import { createShadowStack } from './shadow-stack.ts'
import type { AsyncifyInstance, InstantiateOptions, WasmSources } from './types.ts'

function findMemory(meta: WasmMeta, instance: WebAssembly.Instance, imports: WebAssembly.Imports) {
  const { origin, exportName, importModule, importName } = meta.memory
  const memory =
    origin === 'imported'
      ? (imports[importModule ?? ''] as Record<string, unknown> | undefined)?.[importName ?? '']
      : exportName && instance.exports[exportName]
  return memory instanceof WebAssembly.Memory ? memory : undefined
}

/** The module's `malloc` as `(bytes) => address` (0 on failure), when the build found one. */
function allocator(meta: WasmMeta, instance: WebAssembly.Instance): ((bytes: number) => number) | undefined {
  const alloc = meta.buffer.allocExport && instance.exports[meta.buffer.allocExport]
  if (typeof alloc !== 'function') return undefined
  return (bytes) => Number(alloc(meta.memory.is64 ? BigInt(bytes) : bytes))
}

/**
 * Instantiates an asyncified module (or, with JSPI, its original) and returns promise-returning exports.
 * Calls overlap (up to `maxPausedCalls` active, then FIFO); see docs/runtime.md for the full semantics.
 */
export async function instantiate(
  sources: WasmSources,
  meta: WasmMeta,
  imports: WebAssembly.Imports = {},
  options: InstantiateOptions = {},
): Promise<AsyncifyInstance> {
  const file = fileLabel(meta.file)
  if (meta.version !== 2) {
    throw fail(
      'ASYNCIFY_META_UNSUPPORTED',
      `instantiate ${file}`,
      `its build metadata has version ${meta.version}, this runtime reads version 2`,
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

  const limit = options.maxPausedCalls ?? meta.maxPausedCalls ?? 256
  if (!(Number.isInteger(limit) && limit >= 1)) {
    throw fail(
      'ASYNCIFY_OPTION_INVALID',
      `instantiate ${file}`,
      `maxPausedCalls must be an integer >= 1, got ${String(limit)}`,
      'Pass a positive integer',
    )
  }
  const scheduler = createScheduler(limit)
  // Every field from the start, as data properties: the hot path reads ctx on each call, and a getter or a
  // field added later (a new hidden class) made a call that does not pause ~15% slower (bench (a)).
  const ctx: CallContext = {
    meta,
    depth: 0,
    poison: undefined,
    // The stack is known once the instance exists; until then (imports, start function) nothing pauses.
    stack: createShadowStack(undefined, undefined, 0, undefined),
    module: undefined,
    onPause: options.onPause,
  }
  const asyncify = mode === 'asyncify' ? createAsyncifyDriver(ctx, scheduler) : undefined
  const driver = asyncify ?? createJspiDriver(ctx, scheduler)
  const { module, instance } = await load(source, wrapImports(ctx, imports, driver))
  ctx.module = module
  const memory = findMemory(meta, instance, imports)
  const sp = meta.stack && instance.exports[meta.stack.pointerExport]
  if (sp instanceof WebAssembly.Global) {
    ctx.stack = createShadowStack(sp, memory, meta.stack?.low ?? 0, allocator(meta, instance))
  }
  asyncify?.attach(instance, memory, options.buffer, ctx.stack)

  return {
    exports: wrapExports(ctx, instance, driver, scheduler),
    instance,
    module,
    memory,
    mode,
    get unwindBuffer() {
      return asyncify?.buffer
    },
    shadowStack: ctx.stack.kind,
    close(reason) {
      ctx.poison ??=
        reason ??
        fail('ASYNCIFY_INSTANCE_CLOSED', `call ${file}`, 'the instance was closed', 'Create a new instance')
      scheduler.wake()
    },
  }
}
