/**
 * unplugin-asyncify: `import { main } from './game.wasm?asyncify'` runs Binaryen's Asyncify pass on the file at
 * build time and answers with a module whose exports return promises, so the wasm can call async JS.
 *
 * @module
 */

import { createUnplugin, type UnpluginInstance } from 'unplugin'
import { type Options, resolvePluginOptions } from './plugin/options.ts'
import { unifiedPlugin } from './plugin/unified.ts'
import { webpackLikePlugin } from './plugin/webpack-like.ts'

export type { FilterPattern } from './plugin/filter.ts'
export { ASYNCIFY_ID_RE, ASYNCIFY_QUERY_RE } from './plugin/ids.ts'
export type { Options, WasiPluginOptions } from './plugin/options.ts'

/** The plugin for every bundler: `Asyncify.vite(options)`, `Asyncify.webpack(options)`, … (or the subpath entries). */
export const Asyncify: UnpluginInstance<Options | undefined, false> = createUnplugin((raw = {}, meta) => {
  const options = resolvePluginOptions(raw)
  return meta.framework === 'webpack' || meta.framework === 'rspack'
    ? webpackLikePlugin(raw, options)
    : unifiedPlugin(options, meta.framework, () => Asyncify.vite(raw))
})

export default Asyncify
