/** Messages between the pool (main thread) and a Binaryen worker. Plain data: they cross `postMessage`. */

import type { WasmMeta } from '@unplugin-asyncify/runtime'
import type { SerializedAsyncifyError } from '../errors.ts'
import type { ResolvedAsyncifyOptions } from '../options.ts'

/**
 * What the transform needs from the options. The cache directory stays in the main thread, and options that
 * only change the meta (`stackSize`, `maxPausedCalls`) are filled in after the transform: they are not part of
 * the cache key, so changing them never costs a Binaryen run.
 */
export type TransformOptions = Omit<
  ResolvedAsyncifyOptions,
  'cacheDir' | RuntimeOnlyOption | ProfileOption
> & {
  /**
   * Give the output a name section with the function names when it would have none (stripped input, or
   * `keepNames` off): a profile build names the function of a pause it did not expect, a recording names its
   * frames. Binaryen's names of the input, so an index name (`"263"`) for an unnamed function.
   */
  functionNames: boolean
  /**
   * `onlyList` is a recorded profile: entries that name no function are dropped and counted
   * (`profileMissing`), instead of one Binaryen warning each.
   */
  profiled: boolean
}

/** Options the main thread turns into `onlyList`/`asyncImports` (the profile's content is what counts). */
export type ProfileOption = 'profile' | 'profileFile'

/** Options the runtime reads from the meta; the binaries do not depend on them. */
export type RuntimeOnlyOption = 'stackSize' | 'maxPausedCalls'

/** The meta as the worker makes it: without the runtime-only options. */
export type TransformMeta = Omit<WasmMeta, 'buffer' | 'maxPausedCalls'> & {
  buffer: Omit<WasmMeta['buffer'], 'stackSize'>
}

/**
 * Test-only: make the worker fail the way a Binaryen abort, a crash or an allocation failure would, or (`heap`)
 * hold 1.1 GiB of wasm memory the way Binaryen's heap does after a huge module (it never shrinks).
 */
export type InjectedFault = 'abort' | 'exit' | 'alloc' | 'heap'

export interface TransformRequest {
  id: number
  bytes: Uint8Array
  options: TransformOptions
  fault?: InjectedFault
}

export interface TransformOutput {
  wasm: Uint8Array<ArrayBuffer>
  jspiWasm?: Uint8Array<ArrayBuffer>
  meta: TransformMeta
  /** Defined functions the pass instrumented. */
  instrumented: number
  /** Defined functions in the input. */
  totalFunctions: number
  warnings: string[]
  /** Bytes of `.debug_*` sections dropped from the output (they would describe the code before the pass). */
  dwarfRemovedBytes?: number
  binaryenOutput?: string
  suggestedAsyncImports?: string[]
  /**
   * What makes functions instrumented, from Binaryen's reasons (`asyncify-verbose`): per cause (an async import
   * as `module.name`, or `indirect calls`), how many instrumented functions it reaches. Most first; absent
   * with an only-list.
   */
  causes?: { cause: string; functions: number }[]
  /** Profile builds: recorded names that match no function of this module (dropped from the only-list). */
  profileMissing?: string[]
}

export type TransformResponse = (
  | { id: number; ok: true; output: TransformOutput }
  /** `restart`: Binaryen aborted or ran out of memory; its state is unknown, so the pool replaces the worker. */
  | { id: number; ok: false; error: SerializedAsyncifyError; restart: boolean }
) & {
  /** The worker's memory outside the JS heap after the job, Binaryen's wasm memory included. */
  externalBytes: number
}

/** Something the worker printed outside a transform's own capture; the pool keeps it for crash reports. */
export interface WorkerPrint {
  print: string
}

export type WorkerMessage = TransformResponse | WorkerPrint
