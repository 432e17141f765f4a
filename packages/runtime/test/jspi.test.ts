// Semantics 9: which mode instantiate picks. JSPI's behaviour itself is the rest of this suite, which
// node26.test.ts runs again under Node 26 where `jspi: 'auto'` must pick JSPI.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { AsyncifyRuntimeError, instantiate, type WasmMeta } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, COMPUTE_ASYNC_IMPORTS, computeImports, HAS_JSPI, later } from './helpers/env.ts'

const sleepImports = { env: { sleep: (ms: number) => later(1, ms) } }
let named: FixtureBuild
beforeAll(async () => {
  named = await buildWasm(fixture('named-memory.wasm'))
})

const withJspi = (jspi: WasmMeta['jspi']): WasmMeta => ({ ...named.meta, jspi })

describe('mode selection', () => {
  it(`'auto' uses JSPI exactly when the engine has it (here: ${AUTO_MODE})`, async () => {
    const inst = await instantiate({ asyncify: named.wasm, jspi: named.jspiWasm }, named.meta, sleepImports)
    expect(inst.mode).toBe(AUTO_MODE)
    expect(inst.mode === 'jspi').toBe(HAS_JSPI)
    expect(await inst.exports.store_after(8, 3)).toBe(3)
    // JSPI runs the original module: no asyncify_* exports, no unwind buffer
    expect('asyncify_start_unwind' in inst.instance.exports).toBe(inst.mode === 'asyncify')
    expect(inst.unwindBuffer === undefined).toBe(inst.mode === 'jspi')
  })

  it("'off' (option or meta) never uses JSPI", async () => {
    const byOption = await instantiate(
      { asyncify: named.wasm, jspi: named.jspiWasm },
      named.meta,
      sleepImports,
      { jspi: 'off' },
    )
    const byMeta = await instantiate(
      { asyncify: named.wasm, jspi: named.jspiWasm },
      withJspi('off'),
      sleepImports,
    )
    for (const inst of [byOption, byMeta]) {
      expect(inst.mode).toBe('asyncify')
      expect(await inst.exports.store_after(8, 4)).toBe(4)
    }
  })

  it("'auto' without a JSPI source uses Asyncify", async () => {
    const inst = await instantiate({ asyncify: named.wasm }, named.meta, sleepImports)
    expect(inst.mode).toBe('asyncify')
  })

  it("'only' uses JSPI, or rejects with ASYNCIFY_JSPI_UNAVAILABLE where the engine lacks it", async () => {
    // a jspi 'only' build emits just the original bytes; the glue may put them in either slot
    for (const sources of [{ jspi: named.jspiWasm }, { asyncify: named.jspiWasm }]) {
      const result = instantiate(sources, withJspi('only'), sleepImports).catch((e: unknown) => e)
      if (HAS_JSPI) {
        const inst = await result
        expect(inst).toMatchObject({ mode: 'jspi' })
        expect(await (inst as Awaited<ReturnType<typeof instantiate>>).exports.store_after(8, 5)).toBe(5)
      } else {
        const error = await result
        expect(error).toBeInstanceOf(AsyncifyRuntimeError)
        expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_JSPI_UNAVAILABLE')
        expect((error as Error).message).toContain("Set the jspi option to 'auto'")
      }
    }
  })

  it('calls source functions lazily, only for the mode that is used', async () => {
    const asyncify = vi.fn(() => named.wasm)
    const jspi = vi.fn(async () => named.jspiWasm)
    const inst = await instantiate({ asyncify, jspi }, named.meta, sleepImports)
    expect(inst.mode).toBe(AUTO_MODE)
    expect(asyncify).toHaveBeenCalledTimes(inst.mode === 'asyncify' ? 1 : 0)
    expect(jspi).toHaveBeenCalledTimes(inst.mode === 'jspi' ? 1 : 0)
    await instantiate({ asyncify, jspi }, named.meta, sleepImports, { jspi: 'off' })
    expect(jspi).toHaveBeenCalledTimes(inst.mode === 'jspi' ? 1 : 0)
  })
})

describe('JSPI calls', () => {
  it('run exports that cannot reach an async import without WebAssembly.promising', async () => {
    const compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
    // count the calls that go through promising (each allocates a stack)
    const jspi = WebAssembly as unknown as { promising?: (fn: Function) => Function }
    const original = jspi.promising
    let promisingCalls = 0
    if (original) {
      jspi.promising = (fn) => {
        const wrapped = original(fn)
        return (...args: unknown[]) => {
          promisingCalls++
          return wrapped(...args)
        }
      }
    }
    try {
      const inst = await instantiate(
        { asyncify: compute.wasm, jspi: compute.jspiWasm },
        compute.meta,
        computeImports(),
      )
      expect(inst.mode).toBe(AUTO_MODE)
      const e = inst.exports
      await e._initialize()
      await e.heap_init(4)
      expect(await e.heap_check()).toBe(1 + 4 + 7 + 10)
      expect(await e.sum_to(10)).toBe(55)
      expect(promisingCalls).toBe(0) // none of these can reach sleep, get_i64 or yield_now
      expect(await e.run(1, 2)).toBe(2001)
      expect(promisingCalls).toBe(inst.mode === 'jspi' ? 1 : 0)
      // a failing direct call rejects, restores the shadow stack and frees the queue
      await expect(Promise.all([e.sum_to(5), e.add64(1, 2n)])).rejects.toThrow(TypeError)
      expect(await e.sum_to(3)).toBe(6)
    } finally {
      if (original) jspi.promising = original
    }
  })
})
