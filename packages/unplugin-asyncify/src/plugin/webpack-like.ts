/**
 * webpack and Rspack: no unplugin hooks at all. unplugin's `load` never runs for real files there (its rule
 * `include` sees the path without the query) and emitted assets are lost on cached rebuilds, so we add one native
 * rule that sends `*.wasm?asyncify` to our raw loader. The host resolves the request itself (aliases, packages),
 * `type: 'javascript/auto'` overrides the async-wasm module type, and the loader's output is cached like any module.
 */

import type { UnpluginOptions } from 'unplugin'
import { createFileFilter } from './filter.ts'
import { ASYNCIFY_QUERY_RE } from './ids.ts'
import type { Options, PluginOptions } from './options.ts'
import { loaderPath } from './paths.ts'
import { PLUGIN_NAME } from './processor.ts'

/** What we need of webpack's and Rspack's compiler: both have the same shape here. */
interface CompilerSubset {
  context: string
  options: { module: { rules: unknown[] } }
  hooks: { afterEnvironment: { tap(name: string, callback: () => void): void } }
}

/** The loader gets the user's options minus the filters (the rule applies those): plain JSON, as Rspack requires. */
export type LoaderOptions = Omit<Options, 'include' | 'exclude'>

export function webpackLikePlugin(raw: Options, options: PluginOptions): UnpluginOptions {
  const { include: _include, exclude: _exclude, ...loaderOptions } = raw
  const addRule = (compiler: CompilerSubset) => {
    const filter = createFileFilter(options.include, options.exclude, compiler.context)
    compiler.options.module.rules.unshift({
      resourceQuery: ASYNCIFY_QUERY_RE,
      // Other files with the query reach the loader too, which refuses them with a clear error.
      resource: (path: string) => !path.endsWith('.wasm') || filter(path),
      type: 'javascript/auto',
      // The glue imports every import of `?asyncify` by name from its `importModules` module: one that is missing
      // fails the build here too (webpack's default for a missing export is a warning).
      parser: { exportsPresence: 'error' },
      use: [{ loader: loaderPath(), options: loaderOptions satisfies LoaderOptions }],
    })
  }
  return {
    name: PLUGIN_NAME,
    webpack(compiler) {
      // After webpack resolved its defaults: `asyncWebAssembly: "auto"` turns itself off when any rule matches a
      // sample `/file.wasm`, and our `resource` condition does; plain `.wasm` imports must keep working.
      compiler.hooks.afterEnvironment.tap(PLUGIN_NAME, () => addRule(compiler as unknown as CompilerSubset))
    },
    rspack(compiler) {
      addRule(compiler as unknown as CompilerSubset)
    },
  }
}
