// Semantics 7: where the unwind buffer goes, per meta.buffer.strategy.
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyRuntimeError, instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { COMPUTE_ASYNC_IMPORTS, computeImports, later } from './helpers/env.ts'

const sleepImports = { env: { sleep: (ms: number) => later(1, ms) } }
let noMemory: FixtureBuild
let named: FixtureBuild
let compute: FixtureBuild
let grows: FixtureBuild
let capped: FixtureBuild
beforeAll(async () => {
  noMemory = await buildWasm(fixture('no-memory.wasm'))
  named = await buildWasm(fixture('named-memory.wasm'))
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
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

describe('buffer placement (Asyncify mode)', () => {
  it("'own-memory': the top of the memory the build added, grown only when too small", async () => {
    expect(noMemory.meta.buffer.strategy).toBe('own-memory')
    expect(noMemory.meta.memory.origin).toBe('added')
    const inst = await instantiate({ asyncify: noMemory.wasm }, noMemory.meta, sleepImports)
    const memory = inst.memory as WebAssembly.Memory
    const size = memory.buffer.byteLength
    expect(size).toBe(2 * 65536) // what the build gave it: no growth needed
    expect(inst.unwindBuffer).toMatchObject({
      end: size,
      guardEnd: size,
      start: size - 65536,
      header: size - 65536 - 8,
    })
    expect(await inst.exports.twice(21)).toBe(42)
    expect(await inst.exports.twice(-4)).toBe(-8)

    // asked for more than the build provided: grows just enough
    const bigger = { ...noMemory.meta, buffer: { ...noMemory.meta.buffer, stackSize: 3 * 65536 } }
    const grown = await instantiate({ asyncify: noMemory.wasm }, bigger, sleepImports)
    expect(grown.memory?.buffer.byteLength).toBe(4 * 65536)
    expect(grown.unwindBuffer).toMatchObject({ start: 65536, end: 4 * 65536, header: 65536 - 8 })
    expect(await grown.exports.twice(8)).toBe(16)
  })

  it("'grow': memory grows once at instantiate, the buffer takes the new pages at the very top", async () => {
    expect(named.meta.buffer.strategy).toBe('grow')
    const inst = await instantiate({ asyncify: named.wasm }, named.meta, sleepImports)
    const memory = inst.memory as WebAssembly.Memory
    expect(memory).toBe(inst.instance.exports.mem)
    // 1 page of program memory + ceil((65536 + 8) / 65536) = 2 pages for header + buffer
    expect(memory.buffer.byteLength).toBe(3 * 65536)
    expect(inst.unwindBuffer).toMatchObject({ end: 3 * 65536, start: 2 * 65536, guardEnd: 3 * 65536 })
    for (let i = 0; i < 20; i++) expect(await inst.exports.store_after(64 + 4 * i, i)).toBe(i)
    expect(memory.buffer.byteLength).toBe(3 * 65536) // never again
    expect(new Int32Array(memory.buffer, 64, 20)).toEqual(Int32Array.from({ length: 20 }, (_, i) => i))
  })

  it("'grow': a memory maximum that leaves no room rejects with ASYNCIFY_BUFFER_ALLOC_FAILED", async () => {
    // the build checks the maximum and would choose another strategy; the runtime still fails cleanly
    const grow = { ...capped.meta, buffer: { strategy: 'grow' as const, stackSize: 65536 } }
    const error = await rejection(instantiate({ asyncify: capped.wasm }, grow, sleepImports))
    expect(error.code).toBe('ASYNCIFY_BUFFER_ALLOC_FAILED')
    expect(error.message).toMatch(/memory\.grow\(2\) failed .*65536 bytes of stackSize.*maximum 2/)
    // a smaller stackSize fits in the one page that is left
    const meta = { ...grow, buffer: { ...grow.buffer, stackSize: 4096 } }
    const inst = await instantiate({ asyncify: capped.wasm }, meta, sleepImports)
    expect(await inst.exports.f(5)).toBe(5)
  })

  it("'malloc': allocated once, lazily at the first pause; heap data stays intact across many pauses", async () => {
    expect(compute.meta.buffer).toMatchObject({ strategy: 'malloc', allocExport: '__asyncify_malloc' })
    const inst = await instantiate({ asyncify: compute.wasm }, compute.meta, computeImports(), {
      jspi: 'off',
    })
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

  it("'user': requires options.buffer, validates it, then uses it", async () => {
    expect(grows.meta.buffer.strategy).toBe('user')
    const missing = await rejection(instantiate({ asyncify: grows.wasm }, grows.meta, sleepImports))
    expect(missing.code).toBe('ASYNCIFY_BUFFER_REQUIRED')
    expect(missing.message).toContain('options.buffer = { start, end }')
    for (const buffer of [
      { start: 1000, end: 2000 }, // not 16-byte aligned
      { start: 1024, end: 1030 }, // too small
      { start: 65536 - 512, end: 65536 + 512 }, // past the end of memory
    ]) {
      const invalid = await rejection(
        instantiate({ asyncify: grows.wasm }, grows.meta, sleepImports, { buffer }),
      )
      expect(invalid.code).toBe('ASYNCIFY_BUFFER_INVALID')
    }
    const inst = await instantiate({ asyncify: grows.wasm }, grows.meta, sleepImports, {
      buffer: { start: 1024n, end: 2048n },
    })
    expect(inst.unwindBuffer).toMatchObject({ header: 1024, start: 1032, end: 2048 })
    expect(await inst.exports.grow_then_sleep(2, 5)).toBe(3005)
    expect(await inst.exports.size()).toBe(3)
  })

  it('options.buffer overrides the strategy of the build', async () => {
    const inst = await instantiate({ asyncify: named.wasm }, named.meta, sleepImports, {
      buffer: { start: 4096, end: 8192 },
    })
    expect((inst.memory as WebAssembly.Memory).buffer.byteLength).toBe(65536) // not grown
    expect(await inst.exports.store_after(64, 3)).toBe(3)
    expect(inst.unwindBuffer?.peak).toBeGreaterThan(0)
  })
})
