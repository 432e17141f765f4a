// Semantics 4: a rejected (or throwing) import rejects the call with that same error object; state,
// header and shadow stack pointer are reset, and the instance keeps working, also after 1000 rejections.
import { beforeAll, describe, expect, it } from 'vitest'
import { type AsyncifyInstance, instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, COMPUTE_ASYNC_IMPORTS, failOnUnhandledRejections, later } from './helpers/env.ts'
import { REENTRY_ASYNC_IMPORTS, REENTRY_WAT } from './helpers/reentry-wat.ts'

let compute: FixtureBuild
let reentry: FixtureBuild
let stripped: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  stripped = await buildWasm(fixture('calls-wasm-opt.wasm'), { asyncImports: ['env.sleep', 'env.callback'] })
  reentry = await buildWasm(REENTRY_WAT, { asyncImports: REENTRY_ASYNC_IMPORTS })
})

failOnUnhandledRejections()

/** The header words at unwindBuffer.header: [cur, end]. */
function header(inst: AsyncifyInstance): [number, number] {
  const b = inst.unwindBuffer
  if (!b || !inst.memory) throw new Error('no unwind buffer')
  const view = new DataView(inst.memory.buffer)
  return [view.getUint32(b.header, true), view.getUint32(b.header + 4, true)]
}

describe('rejections', () => {
  it('reject the call with the very object the import rejected or threw with', async () => {
    let outcome: () => unknown = () => 0
    const inst = await instantiate({ asyncify: reentry.wasm, jspi: reentry.jspiWasm }, reentry.meta, {
      env: { cb: (x: number) => x, sleep: () => outcome(), boom: () => outcome() },
    })
    expect(inst.mode).toBe(AUTO_MODE)
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    for (const reason of [new Error('network down'), new TypeError('bad'), 'a string', 42, null]) {
      outcome = () => later(1, 0).then(() => Promise.reject(reason))
      await expect(inst.exports.pause(1)).rejects.toBe(reason)
      await expect(inst.exports.outer(1)).rejects.toBe(reason)
      outcome = () => {
        throw reason
      }
      await expect(inst.exports.pause(1)).rejects.toBe(reason) // thrown before any pause
      await expect(inst.exports.fail(1)).rejects.toBe(reason) // from a plain import
      expect(sp.value).toBe(4096) // every abandoned frame was freed
    }
    outcome = () => later(1, 9)
    expect(await inst.exports.outer(3)).toBe(12)
    expect(await inst.exports.pause(4)).toBe(9)
    expect(sp.value).toBe(4096)
  })

  it('leave nothing behind after 1000 rejected calls in a row', async () => {
    let reject = true
    const inst = await instantiate({ asyncify: compute.wasm, jspi: compute.jspiWasm }, compute.meta, {
      env: {
        sleep: (ms: number) => (reject ? Promise.reject(new Error(`rejected ${ms}`)) : later(1, ms)),
        log: () => {},
        yield_now: () => 0,
        get_i64: (v: bigint) => v,
      },
    })
    const e = inst.exports
    await e._initialize()
    await e.heap_init(50)
    const expectedSum = (50 * (3 * 50 - 1)) / 2
    expect(await e.heap_check()).toBe(expectedSum)
    reject = false
    expect(await e.apply(2, 1)).toBe(2) // first pause: places a malloc'd buffer
    reject = true

    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    const spBefore = sp.value
    const rejectAll = async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => (i % 2 ? e.deep(i % 40) : e.apply(2, i))),
      )
      expect(results.every((r) => r.status === 'rejected')).toBe(true)
      expect((results[7] as PromiseRejectedResult).reason.message).toBe('rejected 0')
      expect(sp.value).toBe(spBefore)
      if (inst.mode === 'asyncify') {
        const b = inst.unwindBuffer
        expect(header(inst)).toEqual([b?.start, b?.end])
      }
    }
    await rejectAll()
    // overlapping calls took C stacks of their own from the heap once; the next 1000 reuse them
    const pages = inst.memory?.buffer.byteLength
    await rejectAll()
    expect(inst.memory?.buffer.byteLength).toBe(pages)
    expect(await e.heap_check()).toBe(expectedSum)
    reject = false
    expect(await e.run(3, 4)).toBe(4003)
    expect(await e.deep(10)).toBe(55)
    expect(await e.heap_check()).toBe(expectedSum)
  })

  it('1000 rejections from a pause three frames deep with stack arrays: the stack pointer is back, also without names', async () => {
    let reject = true
    const inst = await instantiate({ asyncify: stripped.wasm, jspi: stripped.jspiWasm }, stripped.meta, {
      env: {
        sleep: (ms: number) =>
          reject ? later(0, 0).then(() => Promise.reject(new Error(`no ${ms}`))) : later(1, ms),
        callback: () => 0,
      },
    })
    const e = inst.exports
    await e._initialize()
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    expect(stripped.meta.stack?.pointerExport).toBe('__asyncify_stack_pointer') // found without a name
    const spBefore = sp.value
    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => e.deep(3, i)))
      for (const [i, r] of results.entries()) {
        expect(r).toEqual({ status: 'rejected', reason: new Error(`no ${i}`) })
      }
      expect(sp.value).toBe(spBefore)
    }
    reject = false
    expect(await Promise.all([e.deep(3, 2), e.work(4, 1)])).toEqual([8, 4001])
    expect(sp.value).toBe(spBefore)
  })
})
