// Semantics 3: calls of one instance overlap. A call made while others are paused starts at once, may pause
// itself, and paused calls resume in any order, each with its own unwind data and C stack frames. Up to
// maxPausedCalls calls are active; more wait FIFO. An export called synchronously from inside an import runs
// nested; under Asyncify it may not pause (ASYNCIFY_REENTRANT_SUSPEND), under JSPI it may.
import { beforeAll, describe, expect, it } from 'vitest'
import { type AsyncifyInstance, AsyncifyRuntimeError, instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, COMPUTE_ASYNC_IMPORTS, computeImports, later } from './helpers/env.ts'
import { REENTRY_ASYNC_IMPORTS, REENTRY_WAT } from './helpers/reentry-wat.ts'

const CALLS_ASYNC_IMPORTS = ['env.sleep', 'env.callback']
let compute: FixtureBuild
let reentry: FixtureBuild
/** calls.c as built with names, and as users get it from clang + wasm-opt (no name section). */
const calls: Record<string, FixtureBuild> = {}
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  reentry = await buildWasm(REENTRY_WAT, { asyncImports: REENTRY_ASYNC_IMPORTS })
  for (const name of ['calls.wasm', 'calls-wasm-opt.wasm'])
    calls[name] = await buildWasm(fixture(name), { asyncImports: CALLS_ASYNC_IMPORTS })
})

interface CallsEnv {
  inst: AsyncifyInstance
  /** Sleeps that have started and not resolved yet, and the most there ever were at once. */
  sleeping: { now: number; most: number }
}

/**
 * calls.wasm: sleep(ms) resolves to ms after ms (or, with `held`, when the test resolves it); callback(n,
 * slot) awaits, calls nest(n - 1) and fill(slot, 10 n).
 */
async function callsInstance(
  build: FixtureBuild,
  maxPausedCalls?: number,
  held?: Map<number, () => void>,
): Promise<CallsEnv> {
  const sleeping = { now: 0, most: 0 }
  let exports: Record<string, any> = {}
  const inst = await instantiate(
    { asyncify: build.wasm, jspi: build.jspiWasm },
    build.meta,
    {
      env: {
        sleep: async (ms: number) => {
          sleeping.most = Math.max(sleeping.most, ++sleeping.now)
          if (held) await new Promise<void>((resolve) => held.set(ms, resolve))
          else await later(ms, 0)
          sleeping.now--
          return ms
        },
        callback: async (n: number, slot: number) => {
          await later(1, 0)
          const value = await exports.nest(n - 1)
          await exports.fill(slot, n * 10)
          return value
        },
      },
    },
    maxPausedCalls === undefined ? {} : { maxPausedCalls },
  )
  exports = inst.exports
  await inst.exports._initialize()
  return { inst, sleeping }
}

describe.each(['calls.wasm', 'calls-wasm-opt.wasm'])('overlapping calls (%s)', (name) => {
  it('100 calls paused at once each get their own result; stack and heap data survive', async () => {
    const { inst, sleeping } = await callsInstance(calls[name]!)
    expect(inst.mode).toBe(AUTO_MODE)
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => inst.exports.work(i, 10)))
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i * 1000 + 10))
    expect(sleeping.most).toBe(100) // all of them were paused at the same time
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    const top = sp.value
    expect(await inst.exports.work(7, 0)).toBe(7000)
    expect(sp.value).toBe(top)
  })

  it('paused calls resume in any order: last paused first, first paused last, and shuffled', async () => {
    const held = new Map<number, () => void>()
    const { inst, sleeping } = await callsInstance(calls[name]!, undefined, held)
    const orders = [
      Array.from({ length: 12 }, (_, i) => 11 - i), // the first to pause resumes last
      Array.from({ length: 12 }, (_, i) => i), // in the order they paused
      [5, 1, 8, 2, 0, 7, 3, 6, 4, 9, 10, 11], // shuffled
    ]
    for (const order of orders) {
      // work(id, 100 + i): the sleep's argument tells the calls apart
      const results = Array.from({ length: 12 }, (_, i) => inst.exports.work(i + 1, 100 + i))
      expect(sleeping.now).toBe(12)
      for (const i of order) {
        held.get(100 + i)!()
        expect(await results[i]).toBe((i + 1) * 1000 + 100 + i)
      }
    }
  })

  it('calls that start after others finished never land on frames of calls still paused', async () => {
    const held = new Map<number, () => void>()
    const { inst } = await callsInstance(calls[name]!, undefined, held)
    const first = inst.exports.deep(10, 1)
    const second = inst.exports.deep(20, 2)
    held.get(1)!()
    expect(await first).toBe(56)
    // second is still paused below where first began; a new deep call must not run over its frames
    const third = inst.exports.deep(30, 3)
    held.get(3)!()
    expect(await third).toBe(468)
    held.get(2)!()
    expect(await second).toBe(212)
  })

  it('deep stacks of several paused calls stay apart (frames with stack arrays, resumed out of order)', async () => {
    const held = new Map<number, () => void>()
    const { inst } = await callsInstance(calls[name]!, undefined, held)
    const depths = [40, 5, 80, 1, 60, 20]
    const results = depths.map((n, i) => inst.exports.deep(n, i))
    for (const i of [3, 0, 5, 2, 4, 1]) {
      held.get(i)!()
      expect(await results[i]).toBe((depths[i]! * (depths[i]! + 1)) / 2 + i)
    }
  })

  it('a call made while another is paused starts at once and may pause too', async () => {
    const held = new Map<number, () => void>()
    const { inst, sleeping } = await callsInstance(calls[name]!, undefined, held)
    const order: string[] = []
    const first = inst.exports.work(1, 40).then((v: number) => order.push(`work ${v}`))
    expect(sleeping.now).toBe(1) // work(1) is paused now
    const second = inst.exports.work(2, 5).then((v: number) => order.push(`work ${v}`))
    expect(sleeping.now).toBe(2) // so is work(2), which started at once
    await inst.exports.pages().then(() => order.push('pages'))
    held.get(5)!() // the second one resumes first
    await second
    held.get(40)!()
    await first
    expect(order).toEqual(['pages', 'work 2005', 'work 1040'])
  })

  it('an async import that calls exports of the same instance: nest(10) recurses 10 calls deep', async () => {
    const { inst } = await callsInstance(calls[name]!)
    // nest(n) waits in callback() for nest(n - 1), and fill() writes into nest(n)'s paused frame
    expect(await inst.exports.nest(1)).toBe(11)
    expect(await inst.exports.nest(10)).toBe(605)
    expect(await Promise.all([inst.exports.nest(5), inst.exports.work(3, 3)])).toEqual([165, 3003])
  })

  it('with stacks of their own (an allocator is known), pointers into any paused frame stay valid', async () => {
    const { inst } = await callsInstance(calls[name]!)
    // calls.wasm has a named malloc the build exports; the wasm-opt build has none it can find
    expect(inst.shadowStack).toBe(name === 'calls.wasm' ? 'slots' : 'shared')
    // two chains at once: each level's frame is written by fill() while calls of the other chain run
    expect(await Promise.all([inst.exports.nest(4), inst.exports.work(3, 3), inst.exports.nest(6)])).toEqual([
      110, 3003, 231,
    ])
  })

  it('the program grows memory while other calls are paused: their data survive, new memory reads as zero', async () => {
    const { inst } = await callsInstance(calls[name]!)
    const paused = Promise.all([
      inst.exports.work(11, 30),
      inst.exports.deep(30, 25),
      inst.exports.work(12, 5),
    ])
    await later(2, 0)
    const before = await inst.exports.pages()
    const after = await inst.exports.grow(4096) // 4 MiB more heap
    expect(after).toBeGreaterThan(before + 60)
    expect(await inst.exports.calloc_check(2048)).toBe(0)
    expect(await paused).toEqual([11030, 465 + 25, 12005])
    // what the program sees excludes the runtime's region
    if (inst.mode === 'asyncify') {
      const memory = inst.memory as WebAssembly.Memory
      expect(memory.buffer.byteLength / 65536).toBeGreaterThan(await inst.exports.pages())
    }
  })

  it('maxPausedCalls caps the active calls; the others wait and start in call order', async () => {
    const { inst, sleeping } = await callsInstance(calls[name]!, 3)
    const started: number[] = []
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        inst.exports.work(i, 5).then((v: number) => {
          started.push(i)
          return v
        }),
      ),
    )
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 1000 + 5))
    expect(sleeping.most).toBe(3)
    expect(started).toEqual([...started].sort((a, b) => a - b))
  })
})

describe('overlapping calls (compute.wasm)', () => {
  it('give each of many overlapping calls its own result, heap intact', async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm, jspi: compute.jspiWasm },
      compute.meta,
      computeImports(),
    )
    await inst.exports._initialize()
    await inst.exports.heap_init(50)
    const delays = Array.from({ length: 24 }, (_, i) => (i * 7) % 5)
    const results = await Promise.all(delays.map((ms, i) => inst.exports.run(ms, i)))
    expect(results).toEqual(delays.map((ms, i) => i * 1000 + ms))
    expect(
      await Promise.all([inst.exports.deep(100), inst.exports.add64(1n, 2n), inst.exports.apply(2, 4)]),
    ).toEqual([5050, 5n, 5])
    expect(await inst.exports.heap_check()).toBe((50 * 149) / 2)
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

  it('a nested call that pauses: ASYNCIFY_REENTRANT_SUSPEND under Asyncify, a real pause under JSPI', async () => {
    const ref: { current?: Record<string, any> } = {}
    let nested: Promise<unknown> | undefined
    const inst = await reentryInstance((x) => {
      // handled right away: a rejection nobody listens to would be the caller's unhandled rejection
      nested = ref.current?.pause(x).catch((e: unknown) => e)
      return x
    }, ref)
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    expect(await inst.exports.outer(7)).toBe(14)
    const result = await nested
    if (inst.mode === 'asyncify') {
      expect(result).toBeInstanceOf(AsyncifyRuntimeError)
      expect((result as AsyncifyRuntimeError).code).toBe('ASYNCIFY_REENTRANT_SUSPEND')
      expect((result as Error).message).toMatch(/"env\.sleep".*nested, re-entrant call.*use JSPI/)
    } else {
      // JSPI suspends the nested call's own stack; its C frame was moved out while outer kept running
      expect(result).toBe(7)
    }
    // the nested frame (32 bytes) was freed, the outer one when outer returned
    expect(sp.value).toBe(4096)
    // and the instance keeps working
    expect(await inst.exports.pause(3)).toBe(3)
    expect(await inst.exports.outer(1)).toBe(2)
  })
})

describe('close()', () => {
  it('rejects later calls, calls waiting for a slot and paused calls with the reason; nothing runs after', async () => {
    const held = new Map<number, () => void>()
    const { inst, sleeping } = await callsInstance(calls['calls-wasm-opt.wasm']!, 2, held)
    const paused = inst.exports.work(1, 1).catch((e: unknown) => e)
    const second = inst.exports.deep(5, 2).catch((e: unknown) => e)
    const waiting = inst.exports.work(3, 3).catch((e: unknown) => e) // maxPausedCalls 2: waits for a slot
    expect(sleeping.now).toBe(2)
    const reason = new Error('exited')
    inst.close(reason)
    held.get(1)!()
    held.get(2)!()
    expect(await Promise.all([paused, second, waiting])).toEqual([reason, reason, reason])
    expect(held.has(3)).toBe(false) // the waiting call never started
    expect(await inst.exports.pages().catch((e: unknown) => e)).toBe(reason)
    const other = await callsInstance(calls['calls-wasm-opt.wasm']!)
    other.inst.close()
    const closed = await other.inst.exports.pages().catch((e: unknown) => e)
    expect((closed as AsyncifyRuntimeError).code).toBe('ASYNCIFY_INSTANCE_CLOSED')
  })
})
