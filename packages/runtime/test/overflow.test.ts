// Semantics 5: an undersized unwind buffer rejects the call with ASYNCIFY_STACK_OVERFLOW naming stackSize,
// never changes program memory outside the runtime's own region, and the same instance keeps working. With
// the default placement (the region at the top of memory) that holds for an overflow of any depth; only a
// fallback placement (malloc, options.buffer) can be overrun past its guard, which poisons the instance.
// Asyncify only (JSPI has no buffer).
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
let stripped: FixtureBuild
let rec: FixtureBuild
let recNoMemory: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  stripped = await buildWasm(fixture('compute-wasm-opt.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  rec = await buildWasm(
    recWat('(memory (export "memory") 1) (data (i32.const 16) "program data that must survive")'),
  )
  recNoMemory = await buildWasm(recWat(''))
})

const withStackSize = (meta: WasmMeta, stackSize: number): WasmMeta => ({
  ...meta,
  buffer: { ...meta.buffer, stackSize },
})
/** The malloc placement, as the runtime picks it when the build offers no top region (shared memory). */
const mallocOnly = (meta: WasmMeta, stackSize: number): WasmMeta => ({
  ...meta,
  buffer: { stackSize, allocExport: meta.buffer.allocExport },
})

/** SHA-256 of memory below `end`: the program's bytes (the region at the top is the runtime's). */
async function programHash(memory: WebAssembly.Memory, end: number): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(memory.buffer, 0, end).slice())
  return Buffer.from(digest).toString('hex')
}

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
  it("'top': the overflow stops in the region (at its end or the end of memory); no program byte changes", async () => {
    const inst = await instantiate({ asyncify: rec.wasm }, withStackSize(rec.meta, 256), recImports)
    expect(inst.unwindBuffer).toMatchObject({ placement: 'top', guardEnd: inst.memory?.buffer.byteLength })
    expect(await inst.exports.deep(5)).toBe(expected(5))
    for (const n of [40, 1000]) {
      // past `end` but inside the region (the pass traps at stop_unwind)
      const error = await overflowOnce(inst, n, 256)
      expect(error.message).not.toContain('unusable')
      expect(await inst.exports.deep(5)).toBe(expected(5))
    }
    // past the end of memory (or the engine's stack first): a clean rejection, no program byte changed
    const memory = inst.memory as WebAssembly.Memory
    const before = snapshotOutside(memory, inst.unwindBuffer!.header, memory.buffer.byteLength)
    const far = await rejection(inst.exports.deep(8000))
    expect(far.code).toMatch(/^ASYNCIFY_(STACK|NATIVE_STACK)_OVERFLOW$/)
    expect(
      firstDifference(snapshotOutside(memory, inst.unwindBuffer!.header, memory.buffer.byteLength), before),
    ).toBe(-1)
    expect(await inst.exports.deep(5)).toBe(expected(5))
    const text = new TextDecoder().decode(new Uint8Array((inst.memory as WebAssembly.Memory).buffer, 16, 30))
    expect(text).toBe('program data that must survive')
  })

  it("'top': the same in the memory the build added", async () => {
    expect(recNoMemory.meta.memory.origin).toBe('added')
    const inst = await instantiate(
      { asyncify: recNoMemory.wasm },
      withStackSize(recNoMemory.meta, 512),
      recImports,
    )
    expect(await inst.exports.deep(3)).toBe(expected(3))
    await overflowOnce(inst, 2000, 512)
    expect(await inst.exports.deep(20)).toBe(expected(20))
  })

  it("'top' in a stripped clang module: deep(3000) with stackSize 4096 rejects, the program's memory hashes the same, and the same instance keeps working", async () => {
    const inst = await instantiate(
      { asyncify: stripped.wasm },
      withStackSize(stripped.meta, 4096),
      computeImports(),
      {
        jspi: 'off',
      },
    )
    const e = inst.exports
    await e._initialize()
    await e.heap_init(500)
    expect(await e.deep(10)).toBe(55)
    const memory = inst.memory as WebAssembly.Memory
    const sp = inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global
    const spBefore = sp.value
    for (const n of [200, 1500, 100_000]) {
      const programEnd = inst.unwindBuffer!.header
      const before = await programHash(memory, programEnd)
      const error = await rejection(e.deep(n))
      // so deep, the engine's own stack may run out first (asyncified frames are big): also a clean rejection
      expect(error.code).toMatch(/^ASYNCIFY_(STACK|NATIVE_STACK)_OVERFLOW$/)
      if (n < 1000) expect(error.code).toBe('ASYNCIFY_STACK_OVERFLOW')
      if (error.code === 'ASYNCIFY_STACK_OVERFLOW') expect(error.message).toContain('stackSize = 4096 bytes')
      expect(error.message).not.toContain('unusable')
      expect(await programHash(memory, programEnd)).toBe(before)
      expect(sp.value).toBe(spBefore)
    }
    // every export of the same instance still works, the heap is intact
    expect(await Promise.all([e.deep(20), e.run(1, 2), e.add64(1n, 1n), e.sum_to(4)])).toEqual([
      210,
      2001,
      3n,
      10,
    ])
    expect(await e.heap_check()).toBe((500 * 1499) / 2)
  })

  it("'malloc': an overflow inside the guard rejects, changes nothing outside buffer + guard, keeps working", async () => {
    // measure what deep(n) really needs, then give it between 1x and 2x less than that
    const probe = await instantiate(
      { asyncify: compute.wasm },
      mallocOnly(compute.meta, 65536),
      computeImports(),
      {
        jspi: 'off',
      },
    )
    await probe.exports._initialize()
    expect(await probe.exports.deep(100)).toBe(5050)
    const needed = probe.unwindBuffer?.peak ?? 0
    expect(needed).toBeGreaterThan(1000)
    const stackSize = Math.ceil((needed * 0.75) / 16) * 16

    const inst = await instantiate(
      { asyncify: compute.wasm },
      mallocOnly(compute.meta, stackSize),
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
      mallocOnly(compute.meta, 1024),
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

  it('calls started after a poisoning call reject at once too', async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm },
      mallocOnly(compute.meta, 1024),
      computeImports(),
      {
        jspi: 'off',
      },
    )
    await inst.exports._initialize()
    const first = await Promise.allSettled([inst.exports.deep(5000)])
    const [second, third] = await Promise.allSettled([inst.exports.run(1, 1), inst.exports.deep(1)])
    expect((first[0] as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect((second as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_INSTANCE_POISONED')
    expect((third as PromiseRejectedResult).reason.code).toBe('ASYNCIFY_INSTANCE_POISONED')
  })

  it('a call that overflows at its first pause, while others are paused, leaves them and later calls working', async () => {
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
      { jspi: 'off', maxPausedCalls: 2 },
    )
    await inst.exports._initialize()
    // deep(3) pauses; deep(100) starts at once and its unwind overflows: asyncify_stop_unwind traps before
    // the call ever awaits. deep(4) waits for a slot (maxPausedCalls 2) and must still run.
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
    const meta: WasmMeta = { ...rec.meta, buffer: { stackSize: 0 } }
    const poisoned = await instantiate({ asyncify: rec.wasm }, meta, recImports, {
      buffer: { start: 1024, end: 1536 },
    })
    const error = await rejection(poisoned.exports.deep(1000))
    expect(error.code).toBe('ASYNCIFY_STACK_OVERFLOW')
    expect(error.message).toContain('the 496 bytes of options.buffer')
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

/** outer (instrumented) -> $mid (kept out by removeList) -> $leaf -> sleep: $mid cannot be unwound. */
const MIDDLE_WAT = `(module
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  (memory (export "memory") 1)
  (func $leaf (param $x i32) (result i32) (call $sleep (local.get $x)))
  (func $mid (param $x i32) (result i32) (i32.add (call $leaf (local.get $x)) (i32.const 1)))
  (func (export "outer") (param $x i32) (result i32)
    (i32.add (call $mid (local.get $x)) (call $sleep (i32.const 0))))
  (func (export "plain") (param $x i32) (result i32) (i32.mul (local.get $x) (i32.const 2)))
)`

describe('a trap while unwinding that is not an overflow', () => {
  it('rejects with ASYNCIFY_UNWIND_FAILED naming the function and the option; the instance stays usable', async () => {
    // -O1: no inlining, so $mid is still a function of its own in the output
    const broken = await buildWasm(MIDDLE_WAT, {
      removeList: ['mid'],
      asserts: true,
      keepNames: true,
      optimizeLevel: 1,
    })
    const inst = await instantiate({ asyncify: broken.wasm }, broken.meta, recImports, { jspi: 'off' })
    const error = await rejection(inst.exports.outer(5))
    expect(error.code).toBe('ASYNCIFY_UNWIND_FAILED')
    // the trap is in $mid, named from the name section the build kept
    expect(error.message).toMatch(/in function "mid" \(wasm-function\[\d+\]\), which was not instrumented/)
    expect(error.message).toContain('removeList')
    // the exact list entry that would include it
    expect(error.message).toContain('addList: ["mid"]')
    expect(error.cause).toBeInstanceOf(WebAssembly.RuntimeError)
    expect(await inst.exports.plain(5)).toBe(10)
  })

  it('without names (production) it names wasm-function[N] and says how to see the name', async () => {
    const broken = await buildWasm(MIDDLE_WAT, {
      removeList: ['mid'],
      asserts: true,
      keepNames: false,
      optimizeLevel: 1,
    })
    const inst = await instantiate({ asyncify: broken.wasm }, broken.meta, recImports, { jspi: 'off' })
    const error = await rejection(inst.exports.outer(5))
    expect(error.code).toBe('ASYNCIFY_UNWIND_FAILED')
    expect(error.message).toMatch(/in wasm-function\[\d+\], which was not instrumented.*names kept/)
  })
})

describe('a pause through code the build did not instrument', () => {
  it('rejects with ASYNCIFY_NOT_INSTRUMENTED instead of resuming wrong (ignoreIndirect, no asserts)', async () => {
    // apply() reaches sleep only through a function pointer: with ignoreIndirect it is not instrumented
    const build = await buildWasm(fixture('compute.wasm'), {
      asyncImports: COMPUTE_ASYNC_IMPORTS,
      ignoreIndirect: true,
      asserts: false,
    })
    expect(build.meta.exports.find((e) => e.name === 'apply')?.suspending).toBe(false)
    const inst = await instantiate({ asyncify: build.wasm }, build.meta, computeImports(), { jspi: 'off' })
    await inst.exports._initialize()
    const error = await rejection(inst.exports.apply(2, 5))
    expect(error.code).toBe('ASYNCIFY_NOT_INSTRUMENTED')
    expect(error.message).toMatch(/"env\.sleep".*export "apply".*ignoreIndirect/)
    expect(await inst.exports.apply(1, 5)).toBe(10)
    expect(await inst.exports.run(1, 2)).toBe(2001)
  })
})

describe('a program whose only pause goes through a function pointer', () => {
  /** read_line(buf, cap) writes "line N" and resolves to its length, four lines, then 0. */
  const readerImports = (memory: () => WebAssembly.Memory) => {
    let n = 0
    return {
      env: {
        read_line: async (buf: number, cap: number) => {
          await later(1, 0)
          if (n >= 4) return 0
          const text = new TextEncoder().encode(`line ${++n}`)
          new Uint8Array(memory().buffer, buf, cap).set(text.subarray(0, cap))
          return text.length
        },
      },
    }
  }
  const expected = 4 * (1000 + 'l'.charCodeAt(0))

  it('works without ignoreIndirect, and never returns a wrong value with it (ASYNCIFY_NOT_INSTRUMENTED)', async () => {
    for (const ignoreIndirect of [false, true]) {
      const build = await buildWasm(fixture('pointer-pause.wasm'), {
        asyncImports: ['env.read_line'],
        ignoreIndirect,
        asserts: false,
      })
      let inst: AsyncifyInstance | undefined
      inst = await instantiate(
        { asyncify: build.wasm, jspi: build.jspiWasm },
        build.meta,
        readerImports(() => inst!.memory as WebAssembly.Memory),
        { jspi: 'off' },
      )
      if (!ignoreIndirect) {
        expect(await inst.exports.repl(0)).toBe(expected)
        continue
      }
      const error = await rejection(inst.exports.repl(0))
      expect(error.code).toBe('ASYNCIFY_NOT_INSTRUMENTED')
      expect(error.message).toMatch(/"env\.read_line".*export "repl".*ignoreIndirect/)
      expect(await inst.exports.repl(1)).toBe(0) // the path without a pause still works
    }
  })

  it('under JSPI the same build just works: nothing needs instrumenting', async () => {
    const build = await buildWasm(fixture('pointer-pause.wasm'), {
      asyncImports: ['env.read_line'],
      ignoreIndirect: true,
    })
    let inst: AsyncifyInstance | undefined
    inst = await instantiate(
      { asyncify: build.wasm, jspi: build.jspiWasm },
      build.meta,
      readerImports(() => inst!.memory as WebAssembly.Memory),
    )
    if (inst.mode === 'jspi') expect(await inst.exports.repl(0)).toBe(expected)
    else expect((await rejection(inst.exports.repl(0))).code).toBe('ASYNCIFY_NOT_INSTRUMENTED')
  })
})
