/** What a WASI program gets from its host: the options of `createWasi` and of the glue's `wasi` settings. */
import type { FileContents } from './files.ts'
import type { OutputSink } from './output.ts'
import type { StdinSource } from './stdin.ts'

export interface WasiOptions {
  /**
   * The command line, program name first (C's `argv`).
   * @default [the wasm file name without `.wasm`], e.g. `['lua']`
   */
  args?: readonly string[]
  /** Environment variables (C's `getenv`). @default {} */
  env?: Readonly<Record<string, string>>
  /** Standard input; see `StdinSource`. @default empty: the first read is end of input */
  stdin?: StdinSource
  /** Standard output. @default console.log, one call per line */
  stdout?: OutputSink
  /** Standard error. @default console.error, one call per line */
  stderr?: OutputSink
  /**
   * Files of the in-memory file system, by absolute path: `{ '/data/input.txt': 'text' }`. They live under
   * `/`, which the program sees as its root and current directory; what it writes stays in memory.
   * @default {}
   */
  files?: Readonly<Record<string, FileContents>>
}

/** Every key `WasiOptions` accepts (unknown keys are refused, so a typo does not pass silently). */
export const WASI_OPTION_KEYS: readonly (keyof WasiOptions)[] = [
  'args',
  'env',
  'stdin',
  'stdout',
  'stderr',
  'files',
]
