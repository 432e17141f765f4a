/**
 * Record mode: the `onPause` the glue of a development build passes to `instantiate()` when the `profile`
 * option is `'record'`. At every pause it reads the engine's stack trace (the paused call's wasm frames are
 * still on it), names the frames from the module's name section and adds what is new to the profile file:
 * directly where the glue runs in Node (Vitest, SSR, plain Node), through the Vite dev server from a browser.
 * Never part of a normal build: the glue imports it only in record mode.
 */

import {
  type PauseSample,
  type ProfileFs,
  type ProfileModule,
  writeProfileSamples,
} from './profile-format.ts'
import type { PauseInfo } from './types.ts'
import { functionNames } from './wasm-frames.ts'

/** The custom event that carries samples from a browser page to the dev server (`import.meta.hot.send`). */
export const PROFILE_EVENT = 'unplugin-asyncify:profile'

/** What the dev server receives: the profile file the build named, and the new samples. */
export interface ProfileMessage {
  file: string
  samples: PauseSample[]
}

export interface RecorderOptions {
  /** Absolute path of the profile file (the build's `profileFile`). */
  file: string
  /** The module the build made, written into the profile so a later build can tell it changed. */
  module: ProfileModule
}

/** The part of Vite's `import.meta.hot` the recorder uses. */
export interface HotChannel {
  send(event: string, data: ProfileMessage): void
}

const names = new WeakMap<WebAssembly.Module, Map<number, string>>()

function namesOf(module: WebAssembly.Module): Map<number, string> {
  let map = names.get(module)
  if (!map) {
    map = functionNames(module)
    names.set(module, map)
  }
  return map
}

/**
 * The wasm functions on the stack right now, innermost first: the first unbroken run of wasm frames, which at
 * a pause is the paused call (the import wrapper above it is JS, the export's caller below it too). V8 keeps
 * 10 frames by default; an interpreter pauses hundreds deep, so the limit is lifted while the trace is taken.
 * Frames print as `wasm-function[263]` (V8, SpiderMonkey) or, in JavaScriptCore, with the name itself.
 */
export function pausedFunctions(module: WebAssembly.Module): string[] {
  const ErrorWithLimit = Error as { stackTraceLimit?: number }
  const limit = ErrorWithLimit.stackTraceLimit
  ErrorWithLimit.stackTraceLimit = Number.POSITIVE_INFINITY
  let stack: string
  try {
    stack = String(new Error().stack ?? '')
  } finally {
    ErrorWithLimit.stackTraceLimit = limit
  }
  const map = namesOf(module)
  const found: string[] = []
  let inWasm = false
  for (const line of stack.split('\n')) {
    const frame = /wasm-function\[([^\]]+)\]/.exec(line)
    if (!frame) {
      if (inWasm) break
      continue
    }
    inWasm = true
    const key = frame[1]!
    const name = /^\d+$/.test(key) ? map.get(Number(key)) : key
    if (name !== undefined) found.push(name)
  }
  return found
}

/** `node:fs` where the glue runs in Node, without an import a bundler would try to resolve. */
function nodeFs(): ProfileFs | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return process?.getBuiltinModule?.('node:fs') as ProfileFs | undefined
}

/** The `onPause` of record mode for one module. `hot`: Vite's `import.meta.hot`, for browser pages. */
export function createRecorder(options: RecorderOptions, hot?: HotChannel): (pause: PauseInfo) => void {
  const { file, module } = options
  const seenImports = new Set<string>()
  const seenFunctions = new Set<string>()
  /** Every sample that added something: written again (merged) whenever another one does. */
  const samples: PauseSample[] = []
  let stopped = false
  const warn = (cause: string) => {
    stopped = true
    console.warn(`[unplugin-asyncify] warning: stopped recording the profile "${file}": ${cause}`)
  }
  return (pause) => {
    if (stopped) return
    try {
      const functions = pausedFunctions(pause.module)
      if (seenImports.has(pause.import) && functions.every((name) => seenFunctions.has(name))) return
      seenImports.add(pause.import)
      for (const name of functions) seenFunctions.add(name)
      const sample = { import: pause.import, functions }
      samples.push(sample)
      const fs = nodeFs()
      if (fs) {
        writeProfileSamples(fs, file, module, samples, () => new Set(namesOf(pause.module).values()))
      } else if (hot) {
        hot.send(PROFILE_EVENT, { file, samples: [sample] })
      } else {
        warn('this environment has no file system and no Vite dev server to send the samples to')
      }
    } catch (error) {
      warn(`${(error as Error)?.message ?? String(error)}. Fix or delete the file, then run again`)
    }
  }
}
