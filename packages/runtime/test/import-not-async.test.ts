// Semantics 6: an import the build did not mark as async that returns a promise rejects the call with
// ASYNCIFY_IMPORT_NOT_ASYNC (naming the import and the asyncImports option); the instance stays usable.
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyRuntimeError, instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, failOnUnhandledRejections, later } from './helpers/env.ts'

let compute: FixtureBuild
beforeAll(async () => {
  // only sleep and get_i64 may pause: yield_now and log are plain imports
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: ['env.sleep', 'env.get_i64'] })
})

failOnUnhandledRejections()

describe('an import that is not async but returns a promise', () => {
  it('rejects the call with ASYNCIFY_IMPORT_NOT_ASYNC naming it; the instance keeps working', async () => {
    let yieldValue: () => unknown = () => 0
    const logs: number[] = []
    const inst = await instantiate({ asyncify: compute.wasm, jspi: compute.jspiWasm }, compute.meta, {
      env: {
        sleep: (ms: number) => later(1, ms),
        log: (v: number) => {
          logs.push(v)
        },
        yield_now: () => yieldValue(),
        get_i64: (v: bigint) => v,
      },
    })
    expect(inst.mode).toBe(AUTO_MODE)
    const e = inst.exports
    await e._initialize()
    expect(await e.fannkuch(5)).toBe(7)

    // a promise that later rejects too: its rejection must not surface as unhandled
    for (const value of [
      () => later(1, 0),
      () => later(5, 0).then(() => Promise.reject(new Error('late'))),
    ]) {
      yieldValue = value
      const error = await e.fannkuch(5).catch((err: unknown) => err)
      expect(error).toBeInstanceOf(AsyncifyRuntimeError)
      expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_IMPORT_NOT_ASYNC')
      expect((error as Error).message).toContain('"env.yield_now"')
      expect((error as Error).message).toContain('Add "env.yield_now" to the asyncImports option')
    }

    yieldValue = () => 0
    expect(await e.fannkuch(6)).toBe(10)
    expect(await e.run(2, 1)).toBe(1002)
    await e.heap_init(3)
    expect(logs).toEqual([3])
    expect(await e.heap_check()).toBe(12)
  })

  it('also for a void import (async functions return promises even when nothing is awaited)', async () => {
    const inst = await instantiate({ asyncify: compute.wasm, jspi: compute.jspiWasm }, compute.meta, {
      env: { sleep: (ms: number) => ms, log: async () => {}, yield_now: () => 0, get_i64: (v: bigint) => v },
    })
    await inst.exports._initialize()
    const error = await inst.exports.heap_init(2).catch((err: unknown) => err)
    expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_IMPORT_NOT_ASYNC')
    expect((error as Error).message).toContain('"env.log"')
  })
})
