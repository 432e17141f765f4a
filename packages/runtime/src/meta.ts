/**
 * The description of an asyncified module that the build step (`@unplugin-asyncify/core`) hands to the
 * runtime. It is plain JSON: the glue inlines it, the cache stores it.
 */

/** A wasm value type as Binaryen prints it; reference types keep their text form (`funcref`, `externref`, …). */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | (string & {})

export type ExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag'

export interface FuncSig {
  params: ValType[]
  /** More than one entry means multi-value: JS sees an array. */
  results: ValType[]
}

export interface ImportMeta {
  module: string
  name: string
  kind: ExternKind
  /** Only for `kind: 'function'`. */
  sig?: FuncSig
  /** The Asyncify pass lets this import pause the program (it matched `asyncImports`). */
  suspending?: boolean
}

export interface ExportMeta {
  name: string
  kind: ExternKind
  /** Only for `kind: 'function'`. */
  sig?: FuncSig
  /** Binaryen instrumented this export: it can pause. False means it always returns without pausing. */
  suspending?: boolean
  /**
   * `false` when no call chain from this export reaches an async import (an indirect call counts as
   * reaching one, whatever `ignoreIndirect` says): under JSPI it can run without `WebAssembly.promising`.
   * Absent means it may reach one.
   */
  reachesAsyncImport?: false
}

export interface MemoryMeta {
  /** `added`: the input had no memory; the build gave it one, exported as `exportName`. */
  origin: 'exported' | 'imported' | 'internal' | 'added'
  /** Export name, when the memory is (or was made) exported. */
  exportName?: string
  /** Import location, for `origin: 'imported'`. */
  importModule?: string
  importName?: string
  /** memory64: pointers are BigInt in JS. */
  is64: boolean
  shared: boolean
  /** Pages (64 KiB). */
  initial: number
  maximum?: number
}

/**
 * Where the runtime puts the Asyncify unwind buffer. It never guesses a free address:
 * - `own-memory`: the input had no memory, so every byte of the added memory is the runtime's.
 * - `grow`: the module never executes `memory.grow`/`memory.size`; the runtime grows memory once and
 *   uses the new pages at the top, so an overflow traps out of bounds instead of writing program data.
 * - `malloc`: the module's allocator (exported by the input, or exported by the build as `allocExport`)
 *   hands out the buffer.
 * - `user`: none of the above applies; `instantiate` needs `options.buffer`.
 */
export type BufferStrategy = 'own-memory' | 'grow' | 'malloc' | 'user'

export interface BufferMeta {
  strategy: BufferStrategy
  /** `malloc(size) -> ptr` export used by the `malloc` strategy. */
  allocExport?: string
  /** Bytes for saved frames (the `stackSize` option). */
  stackSize: number
}

export interface WasmMeta {
  /** Bumped when the shape changes; the runtime refuses meta it does not understand. */
  version: 1
  /** Display name of the source file (`game.wasm`), used in runtime error messages. */
  file?: string
  /** Imports of the asyncified module, in order. `asyncify.*` imports of a pure-wasm runtime are gone after the pass. */
  imports: ImportMeta[]
  /** User-visible exports (not `asyncify_*`, not the build's internal `__asyncify_*` helpers). */
  exports: ExportMeta[]
  memory: MemoryMeta
  buffer: BufferMeta
  /** Export name of the C shadow stack pointer global (`__stack_pointer`), restored after a rejected call. */
  stackPointerExport?: string
  /** The input drives Asyncify itself through `asyncify.*` imports (the article's pure-wasm example). */
  inWasmRuntime: boolean
  /** How the runtime may use JSPI: `auto` (when the engine has it), `off`, `only` (fail without it). */
  jspi: 'auto' | 'off' | 'only'
}
