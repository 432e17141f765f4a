// Semantics 5: an undersized unwind buffer rejects the call with ASYNCIFY_STACK_OVERFLOW naming stackSize,
// never changes program memory outside the runtime's own region, and the instance keeps working, or,
// when an overflow got past the malloc guard, is poisoned. Asyncify only (JSPI has no buffer).
import { beforeAll, describe, expect, it } from 'vitest'
import { type AsyncifyInstance, AsyncifyRuntimeError, instantiate, type WasmMeta } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import {
  COMPUTE_ASYNC_IMPORTS,
  computeImports,
  firstDifference,
  later,
  snapshotOutside,
} from './helpers/env.ts'

/** deep(n) recurses n times with a live local per frame, then sleeps: deep(n) = sleep(n) + n(n-1)/2. */
const recWat = (memory: string) => `(module
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  ${memory}
  (func $rec (param $n i32) (param $a i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (call $sleep (local.get $a)))
      (else (i32.add
        (call $rec (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $a) (i32.const 1)))
        (local.get $a)))))
  (func (export "deep") (param $n i32) (result i32) (call $rec (local.get $n) (i32.const 0)))
)`
const expected = (n: number) => n + (n * (n - 1)) / 2
const recImports = { env: { sleep: (ms: number) => later(1, ms) } }

let compute: FixtureBuild
let rec: FixtureBuild
let recNoMemory: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  rec = await buildWasm(
    recWat('(memory (export "memory") 1) (data (i32.const 16) "program data that must survive")'),
  )
  recNoMemory = await buildWasm(recWat(''))
})

const withStackSize = (meta: WasmMeta, stackSize: number): WasmMeta => ({
  ...meta,
  buffer: { ...meta.buffer, stackSize },
})

async function rejection(promise: Promise<unknown>): Promise<AsyncifyRuntimeError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AsyncifyRuntimeError)
  return error as AsyncifyRuntimeError
}

/** Overflows `deep(n)` and checks: the code, the message, and that memory outside the region is untouched. */
async function overflowOnce(inst: AsyncifyInstance, n: number, stackSize: number) {
  const memory = inst.memory as WebAssembly.Memory
  const b = inst.unwindBuffer
  if (!b) throw new Error('buffer not placed yet')
  const before = snapshotOutside(memory, b.header, b.guardEnd)
  const error = await rejection(inst.exports.deep(n))
  expect(error.code).toBe('ASYNCIFY_STACK_OVERFLOW')
  expect(error.message).toContain('unwind buffer overflowed')
  expect(error.message).toContain(`stackSize = ${stackSize} bytes`)
  expect(error.message).toMatch(/Raise the stackSize option \(try \d+\)/)
  expect(firstDifference(snapshotOutside(memory, b.header, b.guardEnd), before)).toBe(-1)
  return error
}

describe('unwind buffer overflow', () => {
  it("'grow': traps at the end of memory, rejects, changes no program byte, keeps working", async () => {
    const inst = await instantiate({ asyncify: rec.wasm }, withStackSize(rec.meta, 256), recImports)
    expect(inst.unwindBuffer?.guardEnd).toBe(inst.memory?.buffer.byteLength) // at the very top
    expect(await inst.exports.deep(5)).toBe(expected(5))
    for (let i = 0; i < 3; i++) {
      const error = await overflowOnce(inst, 1000, 256)
      expect(error.message).not.toContain('unusable')
      expect(await inst.exports.deep(5)).toBe(expected(5))
    }
    const text = new TextDecoder().decode(new Uint8Array((inst.memory as WebAssembly.Memory).buffer, 16, 30))
    expect(text).toBe('program data that must survive')
  })

  it("'own-memory': the same in the memory the build added", async () => {
    expect(recNoMemory.meta.buffer.strategy).toBe('own-memory')
    const inst = await instantiate(
      { asyncify: recNoMemory.wasm },
      withStackSize(recNoMemory.meta, 512),
      recImports,
    )
    await overflowOnce(inst, 2000, 512)
    expect(await inst.exports.deep(20)).toBe(expected(20))
  })

  it("'malloc': an overflow inside the guard rejects, changes nothing outside buffer + guard, keeps working", async () => {
    // measure what deep(n) really needs, then give it between 1x and 2x less than that
    const probe = await instantiate({ asyncify: compute.wasm }, compute.meta, computeImports(), {
      jspi: 'off',
    })
    await probe.exports._initialize()
    expect(await probe.exports.deep(100)).toBe(5050)
    const needed = probe.unwindBuffer?.peak ?? 0
    expect(needed).toBeGreaterThan(1000)
    const stackSize = Math.ceil((needed * 0.75) / 16) * 16

    const inst = await instantiate(
      { asyncify: compute.wasm },
      withStackSize(compute.meta, stackSize),
      computeImports(),
      {
        jspi: 'off',
      },
    )
    const e = inst.exports
    await e._initialize()
    await e.heap_init(30)
    expect(await e.deep(3)).toBe(6) // first pause allocates the buffer
    expect(inst.unwindBuffer?.guardEnd).toBe((inst.unwindBuffer?.start ?? 0) + 2 * stackSize)
    for (let i = 0; i < 3; i++) {
      const error = await overflowOnce(inst, 100, stackSize)
      expect(error.message).not.toContain('unusable')
      expect(await e.deep(10)).toBe(55)
    }
    expect(await e.heap_check()).toBe((30 * 89) / 2)
    expect(await e.run(2, 3)).toBe(3002)
  })

  it("'malloc': deep(5000) with a small stackSize overflows past the guard and poisons the instance", async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm },
      withStackSize(compute.meta, 1024),
      computeImports(),
      {
        jspi: 'off',
      },
    )
    await inst.exports._initialize()
    expect(await inst.exports.deep(2)).toBe(3)
    const error = await rejection(inst.exports.deep(5000))
    expect(error.code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect(error.message).toContain('stackSize = 1024 bytes')
    expect(error.message).toContain('this instance is now unusable')
    for (const call of [
      () => inst.exports.deep(1),
      () => inst.exports.sum_to(3),
      () => inst.exports.heap_check(),
    ]) {
      const poisoned = await rejection(call())
      expect(poisoned.code).toBe('ASYNCIFY_INSTANCE_POISONED')
      expect(poisoned.message).toMatch(/earlier call to "deep" overflowed.*Create a new instance/)
    }
  })

  it('queued calls behind a poisoning call reject at once too', async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm },
      withStackSize(compute.meta, 1024),
      computeImports(),
      {
        jspi: 'off',
      },
    )
    await inst.exports._initialize()
    const [first, second, third] = await Promise.allSettled([
      inst.exports.deep(5000),
      inst.exports.run(1, 1),
      inst.exports.deep(1),
    ])
    expect((first as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect((second as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_INSTANCE_POISONED')
    expect((third as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_INSTANCE_POISONED')
  })

  it('a queued call that overflows at its first pause still hands the turn on', async () => {
    const probe = await instantiate({ asyncify: compute.wasm }, compute.meta, computeImports(), {
      jspi: 'off',
    })
    await probe.exports._initialize()
    await probe.exports.deep(100)
    const stackSize = Math.ceil(((probe.unwindBuffer?.peak ?? 0) * 0.75) / 16) * 16
    const inst = await instantiate(
      { asyncify: compute.wasm },
      withStackSize(compute.meta, stackSize),
      computeImports(),
      { jspi: 'off' },
    )
    await inst.exports._initialize()
    // deep(100) starts once deep(3) settled, and its unwind ends inside the guard: asyncify_stop_unwind
    // traps before the call ever awaits. deep(4) waits behind it and must still run.
    const [first, second, third] = await Promise.allSettled([
      inst.exports.deep(3),
      inst.exports.deep(100),
      inst.exports.deep(4),
    ])
    expect(first).toEqual({ status: 'fulfilled', value: 6 })
    expect((second as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect(third).toEqual({ status: 'fulfilled', value: 10 })
  })

  it("'user': an overflow past options.buffer poisons (no guard); one at the end of memory recovers", async () => {
    const meta = withStackSize({ ...rec.meta, buffer: { ...rec.meta.buffer, strategy: 'user' } }, 0)
    const poisoned = await instantiate({ asyncify: rec.wasm }, meta, recImports, {
      buffer: { start: 1024, end: 1536 },
    })
    const error = await rejection(poisoned.exports.deep(1000))
    expect(error.code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect(error.message).toContain('the 504 bytes of options.buffer')
    expect((await rejection(poisoned.exports.deep(1))).code).toBe('ASYNCIFY_INSTANCE_POISONED')

    const top = await instantiate({ asyncify: rec.wasm }, meta, recImports, {
      buffer: { start: 65536 - 512, end: 65536 },
    })
    const memory = top.memory as WebAssembly.Memory
    const before = snapshotOutside(memory, 65536 - 512, 65536)
    expect((await rejection(top.exports.deep(1000))).code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect(firstDifference(snapshotOutside(memory, 65536 - 512, 65536), before)).toBe(-1)
    expect(await top.exports.deep(4)).toBe(expected(4))
  })
})

describe('a trap while unwinding that is not an overflow', () => {
  it('rejects with ASYNCIFY_UNWIND_FAILED and leaves the instance usable', async () => {
    // ignoreIndirect: apply() is not instrumented, yet op 2 pauses through its indirect call; asserts
    // make the uninstrumented caller trap instead of running on with a half-unwound stack
    const broken = await buildWasm(fixture('compute.wasm'), {
      asyncImports: COMPUTE_ASYNC_IMPORTS,
      ignoreIndirect: true,
      asserts: true,
    })
    const inst = await instantiate({ asyncify: broken.wasm }, broken.meta, computeImports())
    await inst.exports._initialize()
    const error = await rejection(inst.exports.apply(2, 5))
    expect(error.code).toBe('ASYNCIFY_UNWIND_FAILED')
    expect(error.message).toContain('ignoreIndirect')
    expect(error.cause).toBeInstanceOf(WebAssembly.RuntimeError)
    expect(await inst.exports.apply(1, 5)).toBe(10)
    expect(await inst.exports.run(1, 2)).toBe(2001)
  })
})
