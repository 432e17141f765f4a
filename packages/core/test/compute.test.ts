import { beforeAll, describe, expect, it } from 'vitest'
import { type AsyncifyResult, asyncify } from '../src/index.ts'
import { drive, sleep } from './helpers/drive.ts'
import { ASYNCIFY_EXPORTS, exportNames, fixture } from './helpers/fixtures.ts'

// compute.wasm: clang-built C with malloc (internal), recursion, indirect calls and i64 (fixtures README).
const bytes = fixture('compute.wasm')
const env = {
  sleep: (ms: number) => sleep(ms),
  log: () => {},
  yield_now: () => 0,
  get_i64: async (value: bigint) => value,
}

let defaults: AsyncifyResult
let ignoreIndirect: AsyncifyResult
let tunedJspi: AsyncifyResult

beforeAll(async () => {
  ;[defaults, ignoreIndirect, tunedJspi] = await Promise.all([
    asyncify(bytes, { cacheDir: false, jspi: 'auto' }, { filename: 'compute.wasm' }),
    asyncify(bytes, { cacheDir: false, jspi: 'off', ignoreIndirect: true }, { filename: 'compute.wasm' }),
    asyncify(
      bytes,
      {
        cacheDir: false,
        jspi: 'auto',
        ignoreIndirect: true,
        asyncImports: ['env.sleep', 'env.get_i64', 'env.yield_now'],
      },
      { filename: 'compute.wasm' },
    ),
  ])
})

describe('compute.wasm with default options', () => {
  it('marks exactly the exports that can pause as suspending', () => {
    const suspending = Object.fromEntries(
      defaults.meta.exports.filter((e) => e.kind === 'function').map((e) => [e.name, e.suspending]),
    )
    for (const name of ['run', 'deep', 'add64', 'apply', 'fannkuch'])
      expect(suspending[name], name).toBe(true)
    for (const name of ['sum_to', 'heap_check', '_initialize']) expect(suspending[name], name).toBe(false)
  })

  it('marks the exports that can never reach an async import, for JSPI to call without promising', () => {
    const flags = (result: AsyncifyResult) =>
      Object.fromEntries(
        result.meta.exports
          .filter((e) => e.kind === 'function')
          .map((e) => [e.name, e.reachesAsyncImport !== false]),
      )
    // every import may pause by default, env.log included: heap_init (which logs) reaches one
    expect(flags(defaults)).toEqual({
      _initialize: false,
      run: true,
      deep: true,
      add64: true,
      apply: true,
      fannkuch: true,
      heap_init: true,
      heap_check: false,
      sum_to: false,
    })
    // With a list, heap_init reaches none. With ignoreIndirect, apply is not instrumented (it cannot pause
    // under Asyncify), but its indirect call still reaches sleep: JSPI must keep promising for it.
    const tuned = flags(tunedJspi)
    expect(tuned.heap_init).toBe(false)
    expect(tunedJspi.meta.exports.find((e) => e.name === 'apply')?.suspending).toBe(false)
    expect(tuned.apply).toBe(true)
    // without JSPI bytes the flag is not written
    expect(ignoreIndirect.meta.exports.some((e) => 'reachesAsyncImport' in e)).toBe(false)
  })

  it('describes export and import signatures', () => {
    const sig = (name: string) => defaults.meta.exports.find((e) => e.name === name)?.sig
    expect(sig('run')).toEqual({ params: ['i32', 'i32'], results: ['i32'] })
    expect(sig('add64')).toEqual({ params: ['i64', 'i64'], results: ['i64'] })
    expect(sig('heap_init')).toEqual({ params: ['i32'], results: [] })
    expect(defaults.meta.exports.find((e) => e.name === 'memory')).toEqual({ name: 'memory', kind: 'memory' })
    const getI64 = defaults.meta.imports.find((i) => i.name === 'get_i64')
    expect(getI64).toEqual({
      module: 'env',
      name: 'get_i64',
      kind: 'function',
      sig: { params: ['i64'], results: ['i64'] },
      suspending: true,
    })
    // Without asyncImports every function import may pause, and the report suggests a precise list.
    expect(defaults.meta.imports.every((i) => i.suspending)).toBe(true)
    expect(defaults.report.suggestedAsyncImports).toEqual([
      'env.sleep',
      'env.get_i64',
      'env.yield_now',
      'env.log',
    ])
  })

  it('places the buffer with the internal malloc and exports the shadow stack pointer', () => {
    expect(defaults.meta.memory).toEqual({
      origin: 'exported',
      exportName: 'memory',
      is64: false,
      shared: false,
      initial: 2,
    })
    // malloc runs memory.grow: the build hides the top region from the program, and exports the named malloc
    expect(defaults.meta.buffer).toEqual({
      top: { reservedExport: '__asyncify_reserved', dirtyExport: '__asyncify_dirty' },
      allocExport: '__asyncify_malloc',
      stackSize: 1048576,
    })
    expect(defaults.meta.stack).toEqual({ pointerExport: '__asyncify_stack_pointer', low: 1040 })
    expect(defaults.meta.maxPausedCalls).toBe(256)
    expect(defaults.meta.inWasmRuntime).toBe(false)
    expect(defaults.meta.jspi).toBe('auto')
    // Helpers are exported by both binaries but kept out of meta.exports.
    for (const wasm of [defaults.wasm, defaults.jspiWasm!]) {
      expect(exportNames(wasm)).toEqual(
        expect.arrayContaining(['__asyncify_malloc', '__asyncify_stack_pointer']),
      )
    }
    expect(
      defaults.meta.exports.some((e) => e.name.startsWith('__asyncify_') || e.name.startsWith('asyncify_')),
    ).toBe(false)
  })

  it('reports sizes and counts', () => {
    const { report } = defaults
    expect(report.inputBytes).toBe(bytes.length)
    expect(report.outputBytes).toBe(defaults.wasm.length)
    expect(report.jspiBytes).toBe(defaults.jspiWasm!.length)
    expect(report.totalFunctions).toBeGreaterThan(report.instrumented)
    expect(report.instrumented).toBeGreaterThanOrEqual(5)
    expect(report.cache).toBe('off')
    expect(report.file).toBe('compute.wasm')
  })

  it('emits the asyncify exports only in the asyncified binary', () => {
    expect(exportNames(defaults.wasm)).toEqual(expect.arrayContaining(ASYNCIFY_EXPORTS))
    expect(exportNames(defaults.jspiWasm!).filter((name) => name.startsWith('asyncify_'))).toEqual([])
  })

  it('really pauses and resumes: heap, recursion, i64, indirect calls', async () => {
    const driven = await drive(defaults.wasm, defaults.meta, { env })
    const { exports } = driven
    await exports._initialize!()
    await exports.heap_init!(1000)
    expect(await exports.run!(50, 1)).toBe(1050)
    expect(await exports.deep!(100)).toBe(5050)
    expect(await exports.add64!(1n, 2n)).toBe(3n)
    expect(await exports.apply!(2, 5)).toBe(6)
    expect(await exports.apply!(1, 5)).toBe(10)
    expect(await exports.sum_to!(100)).toBe(5050)
    expect(await exports.heap_check!()).toBe(1499500)
    expect(driven.pauses).toBe(4)
  })

  it('pauses inside the innermost loop (fannkuch with an async yield)', async () => {
    let yields = 0
    const driven = await drive(defaults.wasm, defaults.meta, {
      env: { ...env, yield_now: () => (++yields % 100 === 0 ? Promise.resolve(0) : 0) },
    })
    expect(await driven.exports.fannkuch!(7)).toBe(16)
    expect(yields).toBe(18508)
    expect(driven.pauses).toBe(185)
  })
})

describe('ignoreIndirect', () => {
  it('instruments fewer functions than the default', () => {
    expect(ignoreIndirect.report.instrumented).toBeLessThan(defaults.report.instrumented)
    expect(ignoreIndirect.wasm.length).toBeLessThan(defaults.wasm.length)
  })

  it('stops treating indirect calls as pausing', () => {
    const apply = ignoreIndirect.meta.exports.find((e) => e.name === 'apply')
    expect(apply?.suspending).toBe(false)
    expect(ignoreIndirect.meta.exports.find((e) => e.name === 'run')?.suspending).toBe(true)
  })
})

describe('lists on compute.wasm', () => {
  it('addList brings back an indirect path that ignoreIndirect dropped', async () => {
    const result = await asyncify(bytes, {
      cacheDir: false,
      jspi: 'off',
      ignoreIndirect: true,
      addList: ['apply', 'op_sleep'],
    })
    expect(result.meta.exports.find((e) => e.name === 'apply')?.suspending).toBe(true)
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.apply!(2, 5)).toBe(6)
    expect(driven.pauses).toBe(1)
  })

  it('removeList keeps a function uninstrumented; with asserts a pause through it traps', async () => {
    const options = { cacheDir: false as const, jspi: 'off' as const, removeList: ['deep_rec'] }
    const [withAsserts, withoutAsserts] = await Promise.all([
      asyncify(bytes, { ...options, asserts: true }),
      asyncify(bytes, { ...options, asserts: false }),
    ])
    expect(withAsserts.report.instrumented).toBeLessThan(defaults.report.instrumented)
    const checked = await drive(withAsserts.wasm, withAsserts.meta, { env })
    await expect(checked.exports.deep!(3)).rejects.toThrow(WebAssembly.RuntimeError)
    // Without asserts nothing traps at the pause: the assert instrumentation is what caught it.
    expect(withoutAsserts.wasm.length).toBeLessThan(withAsserts.wasm.length)
  })

  it('onlyList instruments exactly the listed functions', async () => {
    const result = await asyncify(bytes, { cacheDir: false, jspi: 'off', onlyList: ['run'] })
    expect(result.report.instrumented).toBe(1)
    const suspending = result.meta.exports.filter((e) => e.suspending).map((e) => e.name)
    expect(suspending).toEqual(['run'])
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.run!(5, 2)).toBe(2005)
  })

  it('reports names that match nothing as warnings', async () => {
    const result = await asyncify(bytes, { cacheDir: false, jspi: 'off', removeList: ['no_such_function'] })
    expect(result.report.warnings.join('\n')).toMatch(/no_such_function/)
    expect(result.report.binaryenOutput).toMatch(/no_such_function/)
  })
})

describe('asyncImports on compute.wasm', () => {
  it('only listed imports pause; wildcards match', async () => {
    const result = await asyncify(bytes, {
      cacheDir: false,
      jspi: 'off',
      asyncImports: [' env.sleep ', 'env.get_*'],
    })
    const suspending = result.meta.imports.filter((i) => i.suspending).map((i) => i.name)
    expect(suspending).toEqual(['sleep', 'get_i64'])
    expect(result.report.suggestedAsyncImports).toBeUndefined()
    // fannkuch pauses only through yield_now, which is not listed.
    expect(result.meta.exports.find((e) => e.name === 'fannkuch')?.suspending).toBe(false)
    const driven = await drive(result.wasm, result.meta, { env })
    expect(await driven.exports.add64!(40n, 2n)).toBe(42n)
    expect(await driven.exports.run!(1, 3)).toBe(3001)
  })

  it('an empty list means no import pauses', async () => {
    const result = await asyncify(bytes, {
      cacheDir: false,
      jspi: 'off',
      asyncImports: [],
      ignoreIndirect: true,
    })
    expect(result.meta.imports.some((i) => i.suspending)).toBe(false)
    expect(result.report.instrumented).toBe(0)
    expect(result.meta.exports.some((e) => e.suspending)).toBe(false)
  })
})
