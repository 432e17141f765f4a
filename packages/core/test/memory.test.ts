import { writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/index.ts'
import { drive } from './helpers/drive.ts'
import { exportNames, fixture } from './helpers/fixtures.ts'
import { runOnNode26 } from './helpers/node26.ts'

const options = { cacheDir: false as const, jspi: 'off' as const, asyncImports: ['env.sleep'] }
const env = { sleep: async (ms: number) => ms }

describe('memory shapes and buffer placement', () => {
  it('no memory: adds one, exports it, and owns all of it', async () => {
    const result = await asyncify(fixture('no-memory.wasm'), { ...options, stackSize: 65536 })
    expect(result.meta.memory).toEqual({
      origin: 'added',
      exportName: '__asyncify_memory',
      is64: false,
      shared: false,
      initial: 0, // the runtime grows it to what the unwind buffer needs
    })
    expect(result.meta.buffer).toEqual({ top: {}, stackSize: 65536 })
    const memory = WebAssembly.Module.exports(new WebAssembly.Module(result.wasm)).find(
      (e) => e.kind === 'memory',
    )
    expect(memory?.name).toBe('__asyncify_memory')
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.twice!(21)).toBe(42)
    expect(driven.pauses).toBe(1)
  })

  it('imported js.mem: describes the import and grows it', async () => {
    const result = await asyncify(fixture('imported-memory.wasm'), options)
    expect(result.meta.memory).toEqual({
      origin: 'imported',
      importModule: 'js',
      importName: 'mem',
      is64: false,
      shared: false,
      initial: 1,
    })
    expect(result.meta.buffer.top).toEqual({})
    const mem = new WebAssembly.Memory({ initial: 1 })
    const driven = await drive(result.wasm, result.meta, { env, js: { mem } })
    expect(await driven.exports.store_after!(64, 7)).toBe(7)
    expect(new Int32Array(mem.buffer)[16]).toBe(7)
    expect(mem.buffer.byteLength).toBe(18 * 65536) // grown by ceil((1 MiB default + 16) / 64 KiB) pages
  })

  it('memory exported under another name', async () => {
    const result = await asyncify(fixture('named-memory.wasm'), options)
    expect(result.meta.memory).toMatchObject({ origin: 'exported', exportName: 'mem', initial: 1 })
    expect(result.meta.exports.map((e) => e.name)).toEqual(['mem', 'store_after'])
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.store_after!(64, 7)).toBe(7)
  })

  it('an internal memory is exported for the runtime', async () => {
    const result = await asyncify(fixture('article-pure.wasm'), { cacheDir: false })
    expect(result.meta.memory).toEqual({
      origin: 'internal',
      exportName: '__asyncify_memory',
      is64: false,
      shared: false,
      initial: 1,
      maximum: 1,
    })
    expect(exportNames(result.wasm)).toContain('__asyncify_memory')
  })

  it('a module that runs memory.grow/memory.size: the build hides the top region from it', async () => {
    const result = await asyncify(fixture('grows-memory.wasm'), { ...options, jspi: 'auto' })
    expect(result.meta.buffer.top).toEqual({
      reservedExport: '__asyncify_reserved',
      dirtyExport: '__asyncify_dirty',
    })
    expect(result.report.warnings).toEqual([])
    // the JSPI twin is the program as it was: no helpers, no hidden region
    expect(exportNames(result.jspiWasm!)).not.toContain('__asyncify_reserved')
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.size!()).toBe(1)
    expect(await driven.exports.grow_then_sleep!(2, 5)).toBe(3005)
    expect(await driven.exports.size!()).toBe(3)
    // 1 + 2 program pages, and the region's 17 pages (1 MiB default + header) above them
    expect((driven.raw.memory as WebAssembly.Memory).buffer.byteLength).toBe(20 * 65536)
  })

  it('a memory at its maximum cannot take the top region: a warning naming the reason and the fixes', async () => {
    const result = await asyncify(fixture('article-js.wasm'), { cacheDir: false, jspi: 'off' })
    expect(result.meta.memory).toMatchObject({ origin: 'exported', initial: 1, maximum: 1 })
    expect(result.meta.buffer.allocExport).toBeUndefined()
    expect(result.report.warnings.join('\n')).toMatch(
      /cannot grow by 17 pages \(maximum 1\).*stackSize.*buffer: \{ start, end \}/,
    )
  })

  it('memory64: i64 pointers in meta, and the output pauses on an engine with memory64 (Node 26)', async () => {
    const result = await asyncify(fixture('memory64.wasm'), options)
    expect(result.meta.memory).toEqual({
      origin: 'exported',
      exportName: 'memory',
      is64: true,
      shared: false,
      initial: 1,
    })
    expect(result.meta.buffer.top).toEqual({})
    expect(result.meta.exports.find((e) => e.name === 'store_after')?.sig).toEqual({
      params: ['i64', 'i32'],
      results: ['i32'],
    })
    const dir = await mkdtemp(join(tmpdir(), 'asyncify-m64-'))
    writeFileSync(join(dir, 'out.wasm'), result.wasm)
    // The struct is {i64 cur, i64 end}; pointers are BigInt.
    const script = `
      import { readFileSync } from 'node:fs'
      let ex, pending, data
      const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[1]), { env: {
        sleep: (ms) => {
          if (ex.asyncify_get_state() === 2) { ex.asyncify_stop_rewind(); return pending }
          data = BigInt(ex.memory.grow(2n)) * 65536n
          const view = new DataView(ex.memory.buffer)
          view.setBigInt64(Number(data), data + 16n, true)
          view.setBigInt64(Number(data) + 8, data + 16n + 65536n, true)
          ex.asyncify_start_unwind(data)
          pending = ms
          return 0
        } } })
      ex = instance.exports
      let r = ex.store_after(64n, 7)
      let pauses = 0
      while (ex.asyncify_get_state() === 1) { pauses++; ex.asyncify_stop_unwind(); ex.asyncify_start_rewind(data); r = ex.store_after(64n, 7) }
      console.log(JSON.stringify({ r, pauses, stored: new Int32Array(ex.memory.buffer)[16] }))`
    expect(JSON.parse(await runOnNode26(script, [join(dir, 'out.wasm')]))).toEqual({
      r: 7,
      pauses: 1,
      stored: 7,
    })
  })

  it('multi-value results keep their signature', async () => {
    const result = await asyncify(fixture('multi-value.wasm'), options)
    expect(result.meta.exports.find((e) => e.name === 'pair')?.sig).toEqual({
      params: ['i32'],
      results: ['i32', 'i64'],
    })
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.pair!(5)).toEqual([5, 4294967301n])
  })

  it('stackSize is recorded in the meta only: the binary does not depend on it', async () => {
    const small = await asyncify(fixture('no-memory.wasm'), { ...options, stackSize: 4096 })
    const large = await asyncify(fixture('no-memory.wasm'), { ...options, stackSize: 200_000 })
    expect([small.meta.buffer.stackSize, large.meta.buffer.stackSize]).toEqual([4096, 200_000])
    expect(large.wasm).toEqual(small.wasm)
    const driven = await drive(large.wasm, large.meta, { env })
    expect(await driven.exports.twice!(4)).toBe(8)
    expect((driven.raw.__asyncify_memory as WebAssembly.Memory).buffer.byteLength).toBe(4 * 65536)
  })
})
