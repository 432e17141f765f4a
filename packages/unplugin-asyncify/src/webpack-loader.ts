/**
 * The webpack/Rspack loader for `*.wasm?asyncify`: the bytes in (raw), the glue out. The `webpack` and `rspack`
 * plugins add a rule for it; without the plugin, add the rule yourself.
 *
 * @module
 * @example
 * ```js
 * // webpack.config.js
 * export default {
 *   module: {
 *     rules: [{
 *       resourceQuery: /asyncify/,
 *       type: 'javascript/auto',
 *       use: [{ loader: 'unplugin-asyncify/webpack-loader', options: { asyncImports: ['env.sleep'] } }],
 *     }],
 *   },
 * }
 * ```
 */

import { assetsDir, writeAssetFile } from './plugin/assets.ts'
import { parseAsyncifyId } from './plugin/ids.ts'
import { notWasmImport } from './plugin/not-wasm.ts'
import { resolvePluginOptions } from './plugin/options.ts'
import { consoleLogger, WasmProcessor } from './plugin/processor.ts'
import type { LoaderOptions } from './plugin/webpack-like.ts'

export type { LoaderOptions }

/** The parts of webpack's and Rspack's loader context we use (their types differ, this subset does not). */
export interface AsyncifyLoaderContext {
  resourcePath: string
  resourceQuery: string
  rootContext: string
  mode?: string
  /** The compiler running this loader (webpack and Rspack both set it). */
  _compiler?: object
  getOptions(): LoaderOptions
  async(): (error: Error | null, content?: string) => void
}

/**
 * One processor per compiler and options: shared by the modules of a build and by its watch rebuilds (so an
 * unchanged wasm is neither transformed nor reported again), separate for separate compilers.
 */
const processors = new WeakMap<object, Map<string, WasmProcessor>>()
const noCompiler = {}

function getProcessor(loader: AsyncifyLoaderContext): WasmProcessor {
  const raw = loader.getOptions() ?? {}
  const root = loader.rootContext
  const mode = loader.mode === 'development' ? 'development' : 'production'
  const key = JSON.stringify([root, mode, raw])
  const compiler = loader._compiler ?? noCompiler
  let byOptions = processors.get(compiler)
  if (!byOptions) {
    byOptions = new Map()
    processors.set(compiler, byOptions)
  }
  let processor = byOptions.get(key)
  if (!processor) {
    processor = new WasmProcessor(resolvePluginOptions(raw), { root, mode, logger: consoleLogger })
    byOptions.set(key, processor)
  }
  return processor
}

async function generate(loader: AsyncifyLoaderContext, source: Uint8Array): Promise<string> {
  if (!loader.resourcePath.endsWith('.wasm')) throw notWasmImport(loader.resourcePath, loader.rootContext)
  const { variant } = parseAsyncifyId(`${loader.resourcePath}${loader.resourceQuery}`)
  const processor = getProcessor(loader)
  // `new URL(<file>, import.meta.url)` makes the file an asset module: hashed name, publicPath, and cached with
  // the module (a loader `emitFile` would be lost on Rspack's cached rebuilds).
  const dir = assetsDir(loader.rootContext, processor.options.core.cacheDir)
  return processor.glue(
    loader.resourcePath,
    variant,
    async (asset) => ({ kind: 'asset-path', path: await writeAssetFile(dir, asset) }),
    source,
  )
}

/** webpack calls this with the file as a Buffer (`raw`); the result is JS. */
export default function asyncifyLoader(this: AsyncifyLoaderContext, source: Uint8Array): void {
  const callback = this.async()
  generate(this, source).then(
    (code) => callback(null, code),
    (error: Error) => callback(toLoaderError(error)),
  )
}

/**
 * Rspack rebuilds loader errors from name and message only, so the code goes into the name the way Node shows
 * its own (`AsyncifyError [ASYNCIFY_NOT_WASM]: Failed to asyncify …`). The stack is left out: the message
 * already names the file, and users should not see our internals.
 */
function toLoaderError(error: Error & { code?: unknown }): Error {
  if (typeof error.code !== 'string') return error
  const wrapped = Object.assign(new Error(error.message, { cause: error }), { code: error.code })
  wrapped.name = `${error.name} [${error.code}]`
  wrapped.stack = `${wrapped.name}: ${wrapped.message}`
  return wrapped
}

/** Receive the wasm as bytes, not as a UTF-8 string. */
export const raw = true
