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
 * Where the runtime may put the Asyncify unwind buffer (the saved stack of a paused call). It never guesses a
 * free address. In order of preference:
 * - `top`: a region the runtime adds at the top of memory, after instantiation. An overflow traps at the end
 *   of memory, so it can never write program data. When the program sizes or grows memory itself, the build
 *   rewrote those instructions so that it never sees the region (`reservedExport`, `dirtyExport`). Not offered
 *   for shared memories (the region belongs to one instance).
 * - `malloc`: a block from the module's allocator, with a guard behind it (`allocExport`).
 * - otherwise `instantiate` needs `options.buffer`, which always wins when given.
 */
export interface BufferMeta {
  /** Bytes for the saved frames of one pause (the `stackSize` option). */
  stackSize: number
  top?: {
    /** Mutable global: bytes at the top of memory that the program does not see. */
    reservedExport?: string
    /** Mutable global: bytes from the region's start that may hold old unwind data (zeroed when the program grows). */
    dirtyExport?: string
  }
  /** `malloc(size) -> ptr` export. */
  allocExport?: string
}

/** The C shadow stack of LLVM-built modules (clang, Rust, Zig). */
export interface StackMeta {
  /** Export name of the stack pointer global (`__stack_pointer`, or what a stripped module kept of it). */
  pointerExport: string
  /** Lowest address the stack may reach, from the data layout (0 when unknown). */
  low: number
}

export interface WasmMeta {
  /** Bumped when the shape changes; the runtime refuses meta it does not understand. */
  version: 2
  /** Display name of the source file (`game.wasm`), used in runtime error messages. */
  file?: string
  /** Imports of the asyncified module, in order. `asyncify.*` imports of a pure-wasm runtime are gone after the pass. */
  imports: ImportMeta[]
  /** User-visible exports (not `asyncify_*`, not the build's internal `__asyncify_*` helpers). */
  exports: ExportMeta[]
  memory: MemoryMeta
  buffer: BufferMeta
  /** The C shadow stack, when the module has one: restored after a failed call, switched between paused calls. */
  stack?: StackMeta
  /** Most calls of one instance paused at the same time; later calls wait (the `maxPausedCalls` option). */
  maxPausedCalls: number
  /** The input drives Asyncify itself through `asyncify.*` imports (the article's pure-wasm example). */
  inWasmRuntime: boolean
  /** How the runtime may use JSPI: `auto` (when the engine has it), `off`, `only` (fail without it). */
  jspi: 'auto' | 'off' | 'only'
  /**
   * The profile file the build instrumented from (its name): a pause on a path it does not hold rejects with
   * `ASYNCIFY_NOT_IN_PROFILE`.
   */
  profile?: string
}
