// Semantics 8: memory exported under any name, imported from anywhere, missing (added by the build),
// and 64-bit (BigInt pointers, a 16-byte header of two i64).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyRuntimeError, instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, later, node26 } from './helpers/env.ts'
import { MEMORY64_PROBE, type Memory64Result, memory64Scenario } from './helpers/memory64-scenario.ts'

const sleepImports = { env: { sleep: (ms: number) => later(1, ms) } }
let named: FixtureBuild
let imported: FixtureBuild
let none: FixtureBuild
beforeAll(async () => {
  named = await buildWasm(fixture('named-memory.wasm'))
  imported = await buildWasm(fixture('imported-memory.wasm'))
  none = await buildWasm(fixture('no-memory.wasm'))
})

describe('memory shapes', () => {
  it('exported under another name than "memory"', async () => {
    expect(named.meta.memory).toMatchObject({ origin: 'exported', exportName: 'mem' })
    const inst = await instantiate({ asyncify: named.wasm, jspi: named.jspiWasm }, named.meta, sleepImports)
    expect(inst.mode).toBe(AUTO_MODE)
    expect(inst.memory).toBe(inst.instance.exports.mem)
    expect(await inst.exports.store_after(64, 7)).toBe(7)
    expect(new Int32Array((inst.memory as WebAssembly.Memory).buffer, 64, 1)[0]).toBe(7)
  })

  it('imported from any module/name: found in the imports', async () => {
    expect(imported.meta.memory).toMatchObject({ origin: 'imported', importModule: 'js', importName: 'mem' })
    const mem = new WebAssembly.Memory({ initial: 1 })
    new Int32Array(mem.buffer)[68 / 4] = 5
    const inst = await instantiate({ asyncify: imported.wasm, jspi: imported.jspiWasm }, imported.meta, {
      ...sleepImports,
      js: { mem },
    })
    expect(inst.memory).toBe(mem)
    expect(await inst.exports.store_after(64, 7)).toBe(12)
    expect(new Int32Array(mem.buffer)[64 / 4]).toBe(7)
    // the region at the top of the memory the host gave
    if (inst.mode === 'asyncify')
      expect(inst.unwindBuffer).toMatchObject({
        placement: 'top',
        header: 65536,
        guardEnd: mem.buffer.byteLength,
      })
  })

  it('imported memory that is missing from the imports rejects with ASYNCIFY_IMPORT_MISSING or ASYNCIFY_MEMORY_NOT_FOUND', async () => {
    const error = await instantiate({ asyncify: imported.wasm }, imported.meta, sleepImports).catch(
      (e: unknown) => e,
    )
    // checked before the engine links
    expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_IMPORT_MISSING')
    expect((error as Error).message).toContain('memory "js.mem"')
    // a memory the engine accepts but the runtime cannot see (meta pointing elsewhere) gets our error
    const meta = { ...imported.meta, memory: { ...imported.meta.memory, importName: 'other' } }
    const ours = await instantiate({ asyncify: imported.wasm }, meta, {
      ...sleepImports,
      js: { mem: new WebAssembly.Memory({ initial: 1 }) },
    }).catch((e: unknown) => e)
    expect(ours).toBeInstanceOf(AsyncifyRuntimeError)
    expect((ours as AsyncifyRuntimeError).code).toBe('ASYNCIFY_MEMORY_NOT_FOUND')
    expect((ours as Error).message).toContain('import "js.other"')
  })

  it('no memory: the one the build added', async () => {
    expect(none.meta.memory.origin).toBe('added')
    const inst = await instantiate({ asyncify: none.wasm, jspi: none.jspiWasm }, none.meta, sleepImports)
    // found under the export name the build chose (both binaries export it)
    expect(inst.memory).toBeInstanceOf(WebAssembly.Memory)
    expect(inst.memory).toBe(inst.instance.exports[none.meta.memory.exportName ?? ''])
    expect(await inst.exports.twice(21)).toBe(42)
  })

  it('memory64: BigInt pointers and pages, a 16-byte header of two i64 (in a Node 26 child without memory64 here)', async () => {
    let results: Memory64Result[]
    if (WebAssembly.validate(MEMORY64_PROBE as BufferSource)) {
      results = [await memory64Scenario('off'), await memory64Scenario('auto')]
    } else {
      const script = fileURLToPath(new URL('./helpers/memory64-scenario.ts', import.meta.url))
      const child = spawnSync(node26(), [script], { encoding: 'utf8', timeout: 60_000 })
      expect(child.stderr.replace(/^.*ExperimentalWarning.*\n?/gm, '').trim()).toBe('')
      expect(child.status).toBe(0)
      results = JSON.parse(child.stdout)
    }
    const [asyncify, auto] = results
    expect(asyncify).toMatchObject({
      mode: 'asyncify',
      results: [7, 9],
      stored: 27,
      rejected: 'no',
      afterRejection: 11,
    })
    // grown by two pages at the top; the header holds [start, end] as i64 after the rejection reset it
    expect(asyncify.pages).toBe(3)
    const start = 65536 + 16
    expect(asyncify.buffer).toMatchObject({ start, end: start + 65536, guardEnd: 3 * 65536 })
    expect(asyncify.header).toEqual([String(start), String(start + 65536)])
    expect(auto).toMatchObject({
      mode: 'jspi',
      results: [7, 9],
      stored: 27,
      rejected: 'no',
      afterRejection: 11,
    })
  })
})
