/** Public types of the runtime. */

import type { ValType } from './meta.ts'
import type { UnwindBuffer } from './unwind-buffer.ts'

/** Where the wasm bytes come from. A string is a URL; `file:` URLs are read from disk under Node. */
export type WasmSource = ArrayBufferLike | ArrayBufferView | WebAssembly.Module | Response | URL | string

/** A source, a promise of one, or a function returning either: called only for the mode that is used. */
export type SourceInput = WasmSource | PromiseLike<WasmSource> | (() => WasmSource | PromiseLike<WasmSource>)

export interface WasmSources {
  /** The asyncified module (the build's `wasm`). */
  asyncify?: SourceInput
  /** The original module for JSPI (the build's `jspiWasm`). */
  jspi?: SourceInput
}

export interface InstantiateOptions {
  /** Overrides `meta.jspi`: `auto` uses JSPI when the engine has it, `off` never, `only` requires it. */
  jspi?: 'auto' | 'off' | 'only'
  /**
   * A region of linear memory the program never uses, for the unwind buffer (`[start, end)`, 16-byte
   * aligned). Required when the build's buffer strategy is `user`; overrides the strategy otherwise.
   */
  buffer?: { start: number | bigint; end: number | bigint }
  /** Overrides `meta.maxPausedCalls`: most calls active (running or paused) at once; more wait, FIFO. */
  maxPausedCalls?: number
  /**
   * Called synchronously at every pause, inside the import wrapper, while the wasm frames of the paused call are
   * still on the stack (`new Error().stack` shows them). The glue of a build in record mode passes the profile
   * recorder (`@unplugin-asyncify/runtime/profile`). It must not throw.
   */
  onPause?: (pause: PauseInfo) => void
}

/** A pause, as `onPause` sees it. */
export interface PauseInfo {
  /** The import that returned a promise, `module.name`. */
  import: string
  mode: AsyncifyMode
  /** The module the paused frames belong to (its name section names them). */
  module: WebAssembly.Module
}

/** Which mechanism pauses the program. */
export type AsyncifyMode = 'asyncify' | 'jspi'

/** How JS sees one wasm value type. */
export type WasmValue<T extends ValType> = T extends 'i64'
  ? bigint
  : T extends 'i32' | 'f32' | 'f64'
    ? number
    : unknown

/** Function members become promise-returning; everything else (memory, globals, tables) stays. */
export type Promisified<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K]
}

/** Where the unwind buffer lives (Asyncify mode, once placed). */
export type UnwindBufferInfo = Readonly<UnwindBuffer>

export interface AsyncifyInstance<E extends object = Record<string, any>> {
  /** The user's exports: every function returns a Promise; other exports are passed through. */
  exports: Promisified<E>
  /** The raw instance: its function exports are synchronous and must not pause. */
  instance: WebAssembly.Instance
  module: WebAssembly.Module
  memory: WebAssembly.Memory | undefined
  mode: AsyncifyMode
  /**
   * The unwind buffer (Asyncify mode; `malloc` places it at the first pause): its `placement` (`top`, `malloc`,
   * `user`), addresses, and `peak`, the most bytes one pause has used, which helps size `stackSize`.
   */
  readonly unwindBuffer: UnwindBufferInfo | undefined
  /**
   * How calls that overlap share the C shadow stack: `slots` (each gets a stack of its own from the module's
   * allocator), `shared` (one stack, frames moved out and back as calls take turns), `none` (no C stack).
   */
  readonly shadowStack: 'none' | 'slots' | 'shared'
  /**
   * Ends the instance: every later call, every call waiting for a slot, and every paused call when it would
   * resume, rejects with `reason` (default: an `ASYNCIFY_INSTANCE_CLOSED` error). A WASI `exit()` uses it.
   */
  close(reason?: unknown): void
}
