import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/index.ts'
import { drive } from './helpers/drive.ts'
import { ASYNCIFY_EXPORTS, exportNames, fixture } from './helpers/fixtures.ts'
import { runOnNode26 } from './helpers/node26.ts'
import { watToWasm } from './helpers/wat.ts'

const compute = fixture('compute.wasm')
const env = {
  sleep: async (ms: number) => ms,
  log: () => {},
  yield_now: () => 0,
  get_i64: async (v: bigint) => v,
}
const base = { cacheDir: false as const, jspi: 'off' as const, asyncImports: ['env.sleep', 'env.get_i64'] }

describe('optimizeLevel and shrinkLevel', () => {
  it('-O0 is bigger than -O1 and -O3; levels produce different outputs that all work', async () => {
    const [o0, o1, o3, oz] = await Promise.all([
      asyncify(compute, { ...base, optimizeLevel: 0 }),
      asyncify(compute, { ...base, optimizeLevel: 1 }),
      asyncify(compute, { ...base, optimizeLevel: 3 }),
      asyncify(compute, { ...base, optimizeLevel: 2, shrinkLevel: 2 }),
    ])
    expect(o0.wasm.length).toBeGreaterThan(o1.wasm.length)
    expect(o0.wasm.length).toBeGreaterThan(o3.wasm.length)
    expect(Buffer.from(o1.wasm).equals(Buffer.from(o3.wasm))).toBe(false)
    expect(Buffer.from(o3.wasm).equals(Buffer.from(oz.wasm))).toBe(false)
    for (const result of [o0, o1, o3, oz]) {
      const driven = await drive(result.wasm, result.meta, { env })
      expect(await driven.exports.run!(3, 4)).toBe(4003)
      expect(await driven.exports.add64!(5n, 6n)).toBe(11n)
    }
  })
})

describe('jspi', () => {
  it('off: only the asyncified binary', async () => {
    const result = await asyncify(compute, base)
    expect(result.jspiWasm).toBeUndefined()
    expect(result.report.jspiBytes).toBeUndefined()
    expect(result.meta.jspi).toBe('off')
    expect(exportNames(result.wasm)).toEqual(expect.arrayContaining(ASYNCIFY_EXPORTS))
  })

  it('auto: both binaries export what the runtime needs; the JSPI one suspends on Node 26', async () => {
    const result = await asyncify(compute, { ...base, jspi: 'auto' })
    expect(result.meta.jspi).toBe('auto')
    const jspiExports = exportNames(result.jspiWasm!)
    expect(jspiExports.some((name) => name.startsWith('asyncify_'))).toBe(false)
    const helpers = (names: string[]) => names.filter((name) => name.startsWith('__asyncify_')).sort()
    // the allocator and the stack pointer in both; the hidden region's globals only where it exists
    expect(helpers(jspiExports)).toEqual(['__asyncify_malloc', '__asyncify_stack_pointer'])
    expect(helpers(exportNames(result.wasm))).toEqual([
      '__asyncify_dirty',
      '__asyncify_malloc',
      '__asyncify_reserved',
      '__asyncify_stack_pointer',
    ])
    expect(result.jspiWasm!.length).toBeLessThan(result.wasm.length)
    const script = `
      const bytes = Buffer.from(process.argv[1], 'base64')
      const sleep = new WebAssembly.Suspending(async (ms) => ms)
      const getI64 = new WebAssembly.Suspending(async (v) => v)
      const { instance } = await WebAssembly.instantiate(bytes, { env: { sleep, get_i64: getI64, log() {}, yield_now: () => 0 } })
      const run = WebAssembly.promising(instance.exports.run)
      const add64 = WebAssembly.promising(instance.exports.add64)
      console.log(JSON.stringify([await run(9, 2), String(await add64(1n, 2n))]))`
    const output = await runOnNode26(script, [Buffer.from(result.jspiWasm!).toString('base64')])
    expect(JSON.parse(output)).toEqual([2009, '3'])
  })

  it('only: the non-asyncified binary as wasm, still with the suspending analysis in meta', async () => {
    const result = await asyncify(compute, { ...base, jspi: 'only' })
    expect(result.jspiWasm).toBeUndefined()
    expect(result.meta.jspi).toBe('only')
    expect(exportNames(result.wasm).some((name) => name.startsWith('asyncify_'))).toBe(false)
    const suspending = result.meta.exports.filter((e) => e.suspending).map((e) => e.name)
    expect(suspending).toEqual(['run', 'deep', 'add64', 'apply'])
  })
})

describe('asserts and propagateAddList', () => {
  const chain = `(module
    (import "env" "sleep" (func $sleep (param i32) (result i32)))
    (memory (export "memory") 1)
    (func $leaf (result i32) (i32.const 1))
    (func $mid (export "mid") (result i32) (call $leaf))
    (func $top (export "top") (param i32) (result i32) (call $sleep (local.get 0))))`

  it('addList instruments only the listed function; propagateAddList also its callers', async () => {
    const wasm = await watToWasm(chain)
    const options = { ...base, asyncImports: ['env.sleep'], addList: ['leaf'] }
    const [plain, propagated] = await Promise.all([
      asyncify(wasm, options),
      asyncify(wasm, { ...options, propagateAddList: true }),
    ])
    const flags = (exports: { name: string; suspending?: boolean }[]) =>
      Object.fromEntries(exports.filter((e) => e.suspending !== undefined).map((e) => [e.name, e.suspending]))
    expect(plain.report.instrumented).toBe(2) // top, leaf
    expect(flags(plain.meta.exports)).toEqual({ mid: false, top: true })
    expect(propagated.report.instrumented).toBe(3)
    expect(flags(propagated.meta.exports)).toEqual({ mid: true, top: true })
  })

  it('asserts: a pause through a function that was not instrumented traps instead of corrupting state', async () => {
    const wasm = await watToWasm(`(module
      (import "env" "sleep" (func $sleep (param i32) (result i32)))
      (memory (export "memory") 1)
      (global $entered (mut i32) (i32.const 0))
      (func $inner (param i32) (result i32) (call $sleep (local.get 0)))
      (func $outer (export "outer") (param i32) (result i32)
        (global.set $entered (i32.add (global.get $entered) (i32.const 1)))
        (i32.add (call $inner (local.get 0)) (i32.mul (global.get $entered) (i32.const 100)))))`)
    const options = { ...base, asyncImports: ['env.sleep'], removeList: ['outer'] }
    const [checked, unchecked] = await Promise.all([
      asyncify(wasm, { ...options, asserts: true }),
      asyncify(wasm, { ...options, asserts: false }),
    ])
    const run = async (result: typeof checked) => {
      const driven = await drive(result.wasm, result.meta, { env: { sleep: async (ms: number) => ms } })
      return driven.exports.outer!(5)
    }
    await expect(run(checked)).rejects.toThrow(/unreachable/)
    // Without asserts the uninstrumented frame runs twice (entered = 2): a wrong result, not a trap.
    await expect(run(unchecked)).resolves.toBe(205)
  })
})
