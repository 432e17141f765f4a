/**
 * `instantiateWasi()`: the runtime's `instantiate` with the WASI imports wired in and the program's life
 * cycle around the exports:
 * - a command's `_start` resolves `{ exitCode }`, whether `main` returned or the program called `exit()`;
 * - a reactor's `_initialize` runs once, before the first call of any export;
 * - once the program exited (`_start` finished, or `exit()` anywhere) the instance is done: every later call
 *   rejects with `WASI_EXITED`. A call of another export that ends in `exit()` rejects with `WasiExit`.
 */
import {
  type AsyncifyInstance,
  type InstantiateOptions,
  instantiate,
  type WasmMeta,
  type WasmSources,
} from '@unplugin-asyncify/runtime'
import { fail, fileLabel, WasiExit } from './errors.ts'
import type { WasiOptions } from './options.ts'
import { createWasi } from './wasi.ts'

export const WASI_MODULE = 'wasi_snapshot_preview1'

/** What `_start` resolves with. */
export interface WasiExitStatus {
  /** 0 when `main` returned 0; otherwise the value `main` returned or the program passed to `exit()`. */
  exitCode: number
}

export interface WasiInstantiateOptions extends InstantiateOptions {
  /** The program's WASI host: stdin, stdout, stderr, args, env, files. */
  wasi?: WasiOptions
}

export interface WasiInstance extends AsyncifyInstance {
  /** Undefined while the program can still run; its exit status once it exited. */
  readonly exitCode: number | undefined
}

/** The program name `argv[0]` defaults to: the file name without directories and `.wasm`. */
function programName(meta: WasmMeta): string {
  const base = (meta.file ?? 'program').split(/[\\/]/).pop()!
  return base.replace(/\.wasm$/, '') || 'program'
}

export async function instantiateWasi(
  sources: WasmSources,
  meta: WasmMeta,
  imports: WebAssembly.Imports = {},
  options: WasiInstantiateOptions = {},
): Promise<WasiInstance> {
  const { wasi: wasiOptions, ...runtimeOptions } = options
  const wasi = createWasi(wasiOptions, programName(meta))
  // functions the caller passes for wasi_snapshot_preview1 replace ours, one by one
  const given = imports[WASI_MODULE] as Record<string, unknown> | undefined
  const merged = { ...imports, [WASI_MODULE]: { ...wasi.imports, ...given } } as WebAssembly.Imports
  const inst = await instantiate(sources, meta, merged, runtimeOptions)
  if (!inst.memory) {
    throw fail(
      'WASI_NO_MEMORY',
      `instantiate ${fileLabel(meta.file)}`,
      'it imports WASI but exports no memory, and WASI calls pass their data through memory',
      'Link it as a WASI command or reactor (clang --target=wasm32-wasi exports "memory")',
    )
  }
  wasi.attach(inst.memory)
  return withLifecycle(inst, meta, () => wasi.flush())
}

type AnyFunction = (...args: any[]) => Promise<any>

function withLifecycle(inst: AsyncifyInstance, meta: WasmMeta, flush: () => void): WasiInstance {
  const file = fileLabel(meta.file)
  const raw = inst.exports as Record<string, unknown>
  let exitCode: number | undefined
  let initialized: Promise<unknown> | undefined
  const initialize = raw._initialize as AnyFunction | undefined

  const exit = (code: number): void => {
    if (exitCode === undefined) {
      exitCode = code
      // calls still waiting in the runtime, or paused, end too: nothing of the program runs after exit()
      inst.close(exited('any export'))
    }
    flush()
  }
  const exited = (name: string) =>
    fail(
      'WASI_EXITED',
      `call "${name}" of ${file}`,
      `the program already exited with code ${exitCode}`,
      'Instantiate a new copy to run it again (the ?asyncify&init form gives one per init() call)',
      { exitCode },
    )
  /** Before the first call of a reactor: `_initialize`, once (a failed one is not retried). */
  const ready = (): Promise<unknown> | undefined => {
    if (!initialize) return undefined
    initialized ??= initialize().catch((error: unknown) => {
      if (error instanceof WasiExit) exit(error.exitCode)
      throw error
    })
    return initialized
  }

  const wrap = (name: string, fn: AnyFunction): AnyFunction => {
    if (name === '_start') {
      return async (...args: unknown[]) => {
        if (exitCode !== undefined) throw exited(name)
        try {
          await fn(...args)
          exit(0)
        } catch (error) {
          if (!(error instanceof WasiExit)) {
            // a trap or a failed call: the program is gone all the same
            exit(1)
            throw error
          }
          exit(error.exitCode)
        }
        return { exitCode: exitCode! } satisfies WasiExitStatus
      }
    }
    if (name === '_initialize') {
      return async () => {
        if (exitCode !== undefined) throw exited(name)
        await ready()
      }
    }
    return async (...args: unknown[]) => {
      if (exitCode !== undefined) throw exited(name)
      await ready()
      try {
        return await fn(...args)
      } catch (error) {
        if (error instanceof WasiExit) exit(error.exitCode)
        throw error
      }
    }
  }

  const entries = Object.entries(raw).map(([name, value]): [string, unknown] => [
    name,
    typeof value === 'function' ? named(wrap(name, value as AnyFunction), name, value.length) : value,
  ])
  const exports = Object.freeze(Object.setPrototypeOf(Object.fromEntries(entries), null))
  return Object.create(inst, {
    exports: { value: exports, enumerable: true },
    exitCode: { get: () => exitCode, enumerable: true },
  }) as WasiInstance
}

function named<T extends Function>(fn: T, name: string, length: number): T {
  return Object.defineProperties(fn, { name: { value: name }, length: { value: length } })
}
