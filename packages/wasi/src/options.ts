/** What a WASI program gets from its host: the options of `createWasi` and of the glue's `wasi` settings. */
import type { Fd } from '@bjorn3/browser_wasi_shim'
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
  /**
   * More directories the program may open, by the absolute path it sees them at:
   * `{ '/data': hostDirectory('./data') }` with `hostDirectory` of `@unplugin-asyncify/wasi/node` (Node only).
   * `/` itself is the in-memory file system and cannot be replaced.
   * @default {}
   */
  preopens?: Readonly<Record<string, WasiPreopen>>
}

/** A directory to preopen (see `hostDirectory`): opened once per instance under the name the program sees. */
export interface WasiPreopen {
  open(name: string): Fd
}

/** Every key `WasiOptions` accepts (unknown keys are refused, so a typo does not pass silently). */
export const WASI_OPTION_KEYS: readonly (keyof WasiOptions)[] = [
  'args',
  'env',
  'stdin',
  'stdout',
  'stderr',
  'files',
  'preopens',
]
