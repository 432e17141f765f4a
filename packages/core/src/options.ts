/**
 * The one options object of unplugin-asyncify, shared by the core API, the CLI and every bundler adapter.
 * `resolveOptions()` is the only place where defaults live.
 */

/** A list of names, or a path to a text file with one name per line (we read it: binaryen.js cannot). */
export type NameList = string[] | string

export interface AsyncifyOptions {
  /**
   * Wasm imports that may pause the program, as `module.name`, `*` wildcards allowed (`env.sleep`, `env.*`).
   * Binaryen's `asyncify-imports`. Entries are trimmed and validated.
   * @default every import may pause (the build report then suggests a precise list)
   */
  asyncImports?: NameList
  /**
   * Assume no indirect call (function pointer) is on the stack when the program pauses. Shrinks and speeds up
   * code with many function pointers; wrong if a pause really goes through one (then list it in `addList`).
   * @default false
   */
  ignoreIndirect?: boolean
  /** Functions to instrument in addition to the analysis (Binaryen `asyncify-addlist`). Needs a name section. */
  addList?: NameList
  /** Functions never to instrument (Binaryen `asyncify-removelist`). Needs a name section. */
  removeList?: NameList
  /** Instrument exactly these functions (Binaryen `asyncify-onlylist`). Cannot be combined with add/remove lists. */
  onlyList?: NameList
  /** Also instrument the callers of `addList` functions (Binaryen `asyncify-propagate-addlist`). @default false */
  propagateAddList?: boolean
  /**
   * Trap when a function that was not instrumented changes the Asyncify state (Binaryen `asyncify-asserts`).
   * @default true in development, false in production; always off for modules that import `asyncify.*`
   */
  asserts?: boolean
  /** Binaryen optimize level 0-4 (run after the pass). @default 1 in development, 2 in production */
  optimizeLevel?: 0 | 1 | 2 | 3 | 4
  /** Binaryen shrink level 0-2. @default 0 */
  shrinkLevel?: 0 | 1 | 2
  /**
   * Bytes of the unwind buffer that holds the paused call stack. Too small: the call rejects with
   * `ASYNCIFY_STACK_OVERFLOW` naming this option.
   * @default 65536
   */
  stackSize?: number
  /**
   * JSPI (`WebAssembly.Suspending`/`promising`): `'auto'` uses it where the engine has it and emits the
   * non-asyncified bytes for that path, `'off'` never does, `'only'` emits only those and fails without JSPI.
   * @default 'auto'
   */
  jspi?: 'auto' | 'off' | 'only'
  /** Cache directory, or `false` to disable the cache. @default '<root>/node_modules/.cache/unplugin-asyncify' */
  cacheDir?: string | false
}

export interface ResolvedAsyncifyOptions {
  /** Normalized (trimmed, deduplicated, file contents read); `undefined` = every import may pause. */
  asyncImports: string[] | undefined
  ignoreIndirect: boolean
  addList: string[]
  removeList: string[]
  onlyList: string[]
  propagateAddList: boolean
  asserts: boolean
  optimizeLevel: 0 | 1 | 2 | 3 | 4
  shrinkLevel: 0 | 1 | 2
  stackSize: number
  jspi: 'auto' | 'off' | 'only'
  cacheDir: string | false
}

export interface ResolveContext {
  /** Project root: relative list files and the default cache directory are resolved from it. @default process.cwd() */
  root?: string
  /** `development` turns asserts on by default. @default 'production' */
  mode?: 'development' | 'production'
}
