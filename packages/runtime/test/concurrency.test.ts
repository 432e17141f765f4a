// Semantics 3: overlapping calls are queued FIFO and each gets its own result; an export called
// synchronously from inside an import runs nested, and may not pause.
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyRuntimeError, instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, COMPUTE_ASYNC_IMPORTS, later } from './helpers/env.ts'
import { REENTRY_ASYNC_IMPORTS, REENTRY_WAT } from './helpers/reentry-wat.ts'

let compute: FixtureBuild
let reentry: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  reentry = await buildWasm(REENTRY_WAT, { asyncImports: REENTRY_ASYNC_IMPORTS })
})

async function computeInstance(sleeps: number[] = []) {
  const inst = await instantiate({ asyncify: compute.wasm, jspi: compute.jspiWasm }, compute.meta, {
    env: {
      sleep: (ms: number) => {
        sleeps.push(ms)
        return later(ms, ms)
      },
      log: () => {},
      yield_now: () => 0,
      get_i64: (v: bigint) => later(1, v),
    },
  })
  await inst.exports._initialize()
  return inst
}

describe('concurrent calls', () => {
  it('are queued FIFO and never swap results', async () => {
    const sleeps: number[] = []
    const inst = await computeInstance(sleeps)
    expect(inst.mode).toBe(AUTO_MODE)
    const { run, deep } = inst.exports
    // run(50, 1) settles last if the calls overlapped; unqueued Asyncify would hand out swapped results
    expect(await Promise.all([run(50, 1), run(10, 0), deep(10)])).toEqual([1050, 10, 55])
    // the second call started only after the first finished
    expect(sleeps).toEqual([50, 10, 0])
  })

  it('give each of many overlapping calls its own result', async () => {
    const inst = await computeInstance()
    const delays = Array.from({ length: 24 }, (_, i) => (i * 7) % 5)
    const results = await Promise.all(delays.map((ms, i) => inst.exports.run(ms, i)))
    expect(results).toEqual(delays.map((ms, i) => i * 1000 + ms))
    expect(await inst.exports.heap_check()).toBe(0)
  })

  it('queue a call made while another is paused, and run it after that one', async () => {
    const order: string[] = []
    const inst = await computeInstance()
    const first = inst.exports.run(20, 1).then((v: number) => order.push(`run ${v}`))
    await later(5, 0) // run is paused now
    const second = inst.exports.sum_to(3).then((v: number) => order.push(`sum_to ${v}`))
    await Promise.all([first, second])
    expect(order).toEqual(['run 1020', 'sum_to 6'])
  })
})

describe('re-entrant calls', () => {
  function reentryInstance(cb: (x: number) => number, exportsRef: { current?: Record<string, any> }) {
    return instantiate({ asyncify: reentry.wasm, jspi: reentry.jspiWasm }, reentry.meta, {
      env: { cb, sleep: (ms: number) => later(1, ms), boom: () => 0 },
    }).then((inst) => {
      exportsRef.current = inst.exports
      return inst
    })
  }

  it('run immediately, nested, when called synchronously from inside an import', async () => {
    const ref: { current?: Record<string, any> } = {}
    let nested: Promise<number> | undefined
    const inst = await reentryInstance((x) => {
      nested = ref.current?.double(x)
      return x + 100
    }, ref)
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    expect(sp.value).toBe(4096)
    // sleep(5 + 100) resolves to 105, plus the 5 read back from outer's frame
    expect(await inst.exports.outer(5)).toBe(110)
    expect(await nested).toBe(10)
    expect(sp.value).toBe(4096)
  })

  it('reject with ASYNCIFY_REENTRANT_SUSPEND when the nested call tries to pause; the outer call goes on', async () => {
    const ref: { current?: Record<string, any> } = {}
    let nested: Promise<unknown> | undefined
    const inst = await reentryInstance((x) => {
      // handled right away: a rejection nobody listens to would be the caller's unhandled rejection
      nested = ref.current?.pause(x).catch((e: unknown) => e)
      return x
    }, ref)
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    expect(await inst.exports.outer(7)).toBe(14)
    const error = await nested
    expect(error).toBeInstanceOf(AsyncifyRuntimeError)
    expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_REENTRANT_SUSPEND')
    expect((error as Error).message).toMatch(/"env\.sleep".*nested, re-entrant call/)
    // the nested frame (32 bytes) was freed at once, the outer one when outer returned
    expect(sp.value).toBe(4096)
    // and the instance keeps working
    expect(await inst.exports.pause(3)).toBe(3)
    expect(await inst.exports.outer(1)).toBe(2)
  })
})
