// Semantics 7: where the unwind buffer goes. The build says which placements a module allows (meta.buffer);
// the runtime takes the region at the top of memory when it can, else the module's malloc, else
// options.buffer, which always wins when given.
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyRuntimeError, instantiate, type WasmMeta } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { COMPUTE_ASYNC_IMPORTS, computeImports, later } from './helpers/env.ts'

const sleepImports = { env: { sleep: (ms: number) => later(1, ms) } }
let noMemory: FixtureBuild
let named: FixtureBuild
let compute: FixtureBuild
let stripped: FixtureBuild
let grows: FixtureBuild
let capped: FixtureBuild
beforeAll(async () => {
  noMemory = await buildWasm(fixture('no-memory.wasm'))
  named = await buildWasm(fixture('named-memory.wasm'))
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  stripped = await buildWasm(fixture('compute-wasm-opt.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  grows = await buildWasm(fixture('grows-memory.wasm'))
  capped = await buildWasm(
    '(module (import "env" "sleep" (func $s (param i32) (result i32))) (memory (export "memory") 1 2) (func (export "f") (param i32) (result i32) (call $s (local.get 0))))',
  )
})

async function rejection(promise: Promise<unknown>): Promise<AsyncifyRuntimeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AsyncifyRuntimeError)
  return error as AsyncifyRuntimeError
}

const withBuffer = (meta: WasmMeta, buffer: Partial<WasmMeta['buffer']>): WasmMeta => ({
  ...meta,
  buffer: { stackSize: meta.buffer.stackSize, ...buffer },
})

describe('buffer placement (Asyncify mode)', () => {
  it("'top' in the memory the build added: grown to the size needed at instantiation", async () => {
    expect(noMemory.meta.memory).toMatchObject({ origin: 'added', initial: 0 })
    expect(noMemory.meta.buffer.top).toEqual({})
    const inst = await instantiate({ asyncify: noMemory.wasm }, noMemory.meta, sleepImports)
    const memory = inst.memory as WebAssembly.Memory
    // ceil((65536 + 16) / 65536) pages for header + buffer
    expect(memory.buffer.byteLength).toBe(2 * 65536)
    expect(inst.unwindBuffer).toMatchObject({ placement: 'top', header: 0, start: 16, end: 16 + 65536 })
    expect(await inst.exports.twice(21)).toBe(42)
    expect(await inst.exports.twice(-4)).toBe(-8)
  })

  it("'top' with core's default stackSize (1 MiB): 17 pages of untouched memory at the top", async () => {
    const meta = { ...named.meta, buffer: { ...named.meta.buffer, stackSize: 1 << 20 } }
    const inst = await instantiate({ asyncify: named.wasm }, meta, sleepImports)
    expect((inst.memory as WebAssembly.Memory).buffer.byteLength).toBe(18 * 65536)
    expect(inst.unwindBuffer).toMatchObject({ header: 65536, end: 65536 + 16 + (1 << 20) })
    expect(await inst.exports.store_after(64, 9)).toBe(9)
  })

  it("'top' when the program never sizes or grows memory: the new pages at the very top, once", async () => {
    expect(named.meta.buffer.top).toEqual({}) // nothing to hide from the program
    const inst = await instantiate({ asyncify: named.wasm }, named.meta, sleepImports)
    const memory = inst.memory as WebAssembly.Memory
    expect(memory).toBe(inst.instance.exports.mem)
    expect(memory.buffer.byteLength).toBe(3 * 65536)
    expect(inst.unwindBuffer).toMatchObject({
      placement: 'top',
      header: 65536,
      start: 65536 + 16,
      guardEnd: 3 * 65536,
    })
    for (let i = 0; i < 20; i++) expect(await inst.exports.store_after(64 + 4 * i, i)).toBe(i)
    expect(memory.buffer.byteLength).toBe(3 * 65536) // never again
    expect(new Int32Array(memory.buffer, 64, 20)).toEqual(Int32Array.from({ length: 20 }, (_, i) => i))
  })

  it("'top' when the program grows memory itself: it never sees the region, which moves up with it", async () => {
    expect(grows.meta.buffer.top).toEqual({
      reservedExport: '__asyncify_reserved',
      dirtyExport: '__asyncify_dirty',
    })
    const inst = await instantiate({ asyncify: grows.wasm }, grows.meta, sleepImports)
    const memory = inst.memory as WebAssembly.Memory
    const reserved = inst.instance.exports.__asyncify_reserved as WebAssembly.Global
    expect(reserved.value).toBe(2 * 65536)
    expect(await inst.exports.size()).toBe(1) // what the program declared, not 3
    // memory.grow(2) from the program: it gets pages 1-2 and sees 3; the region moved to pages 3-4
    expect(await inst.exports.grow_then_sleep(2, 5)).toBe(3005)
    expect(memory.buffer.byteLength).toBe(5 * 65536)
    expect(inst.unwindBuffer).toMatchObject({ header: 3 * 65536, guardEnd: 5 * 65536 })
    expect(await inst.exports.size()).toBe(3)
    expect(await inst.exports.grow_then_sleep(1, 7)).toBe(4007)
  })

  it("'top' in a stripped clang module (clang + wasm-opt: no names, internal malloc, memory.grow)", async () => {
    expect(stripped.meta.buffer.allocExport).toBeUndefined() // no malloc the build could find
    expect(stripped.meta.buffer.top?.reservedExport).toBeDefined()
    const inst = await instantiate({ asyncify: stripped.wasm }, stripped.meta, computeImports(), {
      jspi: 'off',
    })
    const e = inst.exports
    await e._initialize()
    await e.heap_init(2000) // grows the heap
    expect(await Promise.all([e.run(1, 1), e.deep(200), e.add64(5n, 1n), e.apply(2, 3)])).toEqual([
      1001,
      20100,
      7n,
      4,
    ])
    expect(await e.heap_check()).toBe((2000 * 5999) / 2)
    expect(inst.unwindBuffer?.placement).toBe('top')
  })

  it('a memory maximum that leaves no room for the region: malloc instead, or a clear error at the first pause', async () => {
    // 1 page of 2 is used: the 2 pages a 65536-byte buffer needs do not fit
    const noAlloc = await instantiate({ asyncify: capped.wasm }, capped.meta, sleepImports)
    expect(noAlloc.unwindBuffer).toBeUndefined()
    const error = await rejection(noAlloc.exports.f(5))
    expect(error.code).toBe('ASYNCIFY_BUFFER_ALLOC_FAILED')
    expect(error.message).toMatch(/memory\.grow\(2\) failed .*65536 bytes of stackSize.*maximum 2/)
    // a smaller stackSize fits in the one page that is left
    const meta = { ...capped.meta, buffer: { ...capped.meta.buffer, stackSize: 4096 } }
    const inst = await instantiate({ asyncify: capped.wasm }, meta, sleepImports)
    expect(await inst.exports.f(5)).toBe(5)
  })

  it("'malloc' (no top region offered, e.g. shared memory): allocated once, lazily at the first pause", async () => {
    expect(compute.meta.buffer.allocExport).toBe('__asyncify_malloc')
    const meta = withBuffer(compute.meta, { allocExport: compute.meta.buffer.allocExport })
    const inst = await instantiate({ asyncify: compute.wasm }, meta, computeImports(), { jspi: 'off' })
    const e = inst.exports
    await e._initialize() // the user's job, before anything else
    expect(inst.unwindBuffer).toBeUndefined()
    await e.heap_init(100)
    const sum = (100 * 299) / 2
    expect(await e.heap_check()).toBe(sum)
    expect(await e.sum_to(10)).toBe(55)
    expect(inst.unwindBuffer).toBeUndefined() // nothing paused yet
    expect(await e.run(1, 1)).toBe(1001)
    const placed = { ...inst.unwindBuffer }
    expect(placed).toMatchObject({ placement: 'malloc' })
    expect(placed.end).toBe((placed.start ?? 0) + 65536)
    expect(placed.guardEnd).toBe((placed.start ?? 0) + 2 * 65536)
    for (let i = 0; i < 60; i++) {
      const [a, b, c, d] = await Promise.all([
        e.run(0, i),
        e.apply(2, i % 3),
        e.add64(BigInt(i), 1n),
        e.deep(i),
      ])
      expect([a, b, c, d]).toEqual([i * 1000, (i % 3) + 1, BigInt(i) + 2n, (i * (i + 1)) / 2])
    }
    expect(await e.fannkuch(6)).toBe(10)
    expect(await e.heap_check()).toBe(sum)
    expect(inst.unwindBuffer).toMatchObject({ header: placed.header, start: placed.start, end: placed.end })
  })

  it("'user': options.buffer is validated, then used; without it and without another placement, a clear error", async () => {
    const none = withBuffer(grows.meta, {})
    const inst0 = await instantiate({ asyncify: grows.wasm }, none, sleepImports)
    const missing = await rejection(inst0.exports.grow_then_sleep(0, 1))
    expect(missing.code).toBe('ASYNCIFY_BUFFER_REQUIRED')
    expect(missing.message).toContain('options.buffer = { start, end }')
    for (const buffer of [
      { start: 1000, end: 2000 }, // not 16-byte aligned
      { start: 1024, end: 1030 }, // too small
      { start: 65536 - 512, end: 65536 + 512 }, // past the end of memory
    ]) {
      const invalid = await rejection(instantiate({ asyncify: grows.wasm }, none, sleepImports, { buffer }))
      expect(invalid.code).toBe('ASYNCIFY_BUFFER_INVALID')
    }
    const inst = await instantiate({ asyncify: grows.wasm }, none, sleepImports, {
      buffer: { start: 1024n, end: 2048n },
    })
    expect(inst.unwindBuffer).toMatchObject({ placement: 'user', header: 1024, start: 1040, end: 2048 })
    expect(await inst.exports.grow_then_sleep(2, 5)).toBe(3005)
    expect(await inst.exports.size()).toBe(3)
  })

  it('options.buffer overrides the placement of the build', async () => {
    const inst = await instantiate({ asyncify: named.wasm }, named.meta, sleepImports, {
      buffer: { start: 4096, end: 8192 },
    })
    expect((inst.memory as WebAssembly.Memory).buffer.byteLength).toBe(65536) // not grown
    expect(await inst.exports.store_after(64, 3)).toBe(3)
    expect(inst.unwindBuffer?.peak).toBeGreaterThan(0)
  })
})
