import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/index.ts'
import { drive } from './helpers/drive.ts'
import { fixture } from './helpers/fixtures.ts'

describe("the Asyncify article's examples", () => {
  it('pure wasm: the module drives Asyncify itself and prints 1, 2, 3', async () => {
    const result = await asyncify(fixture('article-pure.wasm'), { cacheDir: false }, { mode: 'development' })
    expect(result.meta.inWasmRuntime).toBe(true)
    expect(result.meta.jspi).toBe('off') // nothing for JS to suspend
    expect(result.jspiWasm).toBeUndefined()
    // asserts default to on in development, but would trap in the module's own runtime.
    expect(result.report.warnings.join('\n')).toMatch(/asserts are off/)
    expect(result.meta.imports).toEqual([
      {
        module: 'spectest',
        name: 'print',
        kind: 'function',
        sig: { params: ['i32'], results: [] },
        suspending: true,
      },
    ])
    expect(WebAssembly.Module.imports(new WebAssembly.Module(result.wasm))).toEqual([
      { module: 'spectest', name: 'print', kind: 'function' },
    ])
    const printed: number[] = []
    // The start function runs the whole example during instantiation.
    await WebAssembly.instantiate(result.wasm, {
      spectest: { print: (value: number) => printed.push(value) },
    })
    expect(printed).toEqual([1, 2, 3])
  })

  it('pure wasm: without the pass the same module prints 1, 3, 2, 1, 3', async () => {
    const printed: number[] = []
    const noop = () => {}
    await WebAssembly.instantiate(fixture('article-pure.wasm'), {
      spectest: { print: (value: number) => printed.push(value) },
      asyncify: { start_unwind: noop, stop_unwind: noop, start_rewind: noop, stop_rewind: noop },
    })
    expect(printed).toEqual([1, 3, 2, 1, 3])
  })

  it('JS example: main() pauses in sleep and resumes after it', async () => {
    const result = await asyncify(fixture('article-js.wasm'), {
      cacheDir: false,
      asyncImports: ['env.sleep'],
    })
    const log: string[] = []
    const driven = await drive(
      result.wasm,
      result.meta,
      {
        env: {
          before: () => log.push('before'),
          sleep: (ms: number) => {
            log.push(`sleep ${ms}`)
            return Promise.resolve().then(() => log.push('timer'))
          },
          after: () => log.push('after'),
        },
      },
      { start: 24, end: 1024 }, // the article's region, after the struct at 16
    )
    await driven.exports.main!()
    expect(log).toEqual(['before', 'sleep 2000', 'timer', 'after'])
  })
})
