// Semantics 9: which mode instantiate picks. JSPI's behaviour itself is the rest of this suite, which
// node26.test.ts runs again under Node 26 where `jspi: 'auto'` must pick JSPI.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { AsyncifyRuntimeError, instantiate, type WasmMeta } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, HAS_JSPI, later } from './helpers/env.ts'

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
