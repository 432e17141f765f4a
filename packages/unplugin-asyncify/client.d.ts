// Ambient module types for `?asyncify` imports. Add `"types": ["unplugin-asyncify/client"]` to tsconfig.json, or
// `/// <reference types="unplugin-asyncify/client" />` to a .d.ts file.
//
// Named exports cannot be typed for every wasm file at once, so `?asyncify` imports are untyped here (`any`): use
// `import { main } from './game.wasm?asyncify'` or `import * as game from './game.wasm?asyncify'`. For exact types
// per file (parameters, i64 as bigint, the init() imports), set the plugin option `dts: true`; its declarations
// take precedence over these.

declare module '*.wasm?asyncify'

declare module '*.wasm?asyncify&init' {
  import type { AsyncifyInstance, InstantiateOptions } from 'unplugin-asyncify/runtime'
  import type { WasiOptions } from 'unplugin-asyncify/wasi'

  /**
   * Instantiate a new, independent copy; `imports` are merged over the `importModules` defaults, per module.
   * `options.wasi` sets up WASI for a module that imports `wasi_snapshot_preview1` (see docs/wasi.md).
   */
  const init: (
    imports?: WebAssembly.Imports,
    options?: InstantiateOptions & { wasi?: WasiOptions },
  ) => Promise<AsyncifyInstance>
  export default init
}
