// Debugging: development builds keep the name section (wasm frames in stack traces show the program's
// function names), production builds drop it unless keepNames asks; DWARF is never shipped stale.
import { describe, expect, it } from 'vitest'
import { asyncify, formatReport } from '../src/index.ts'
import { fixture, REPO_ROOT } from './helpers/fixtures.ts'

/** Which of the name and DWARF sections `wasm` has. */
const customSections = (wasm: Uint8Array<ArrayBuffer>) => {
  const mod = new WebAssembly.Module(wasm)
  return new Set(
    ['name', '.debug_info', '.debug_line', '.debug_str', '.debug_abbrev'].filter(
      (name) => WebAssembly.Module.customSections(mod, name).length > 0,
    ),
  )
}

/** A module whose `run` traps in `$explode_here` after a call that may pause. */
const trapBytes = async () => {
  const { default: binaryen } = (await import('binaryen')) as unknown as {
    default: {
      parseText(text: string): { emitBinary(): Uint8Array; dispose(): void }
      setDebugInfo(on: boolean): void
    }
  }
  const mod = binaryen.parseText(`(module
    (import "env" "sleep" (func $sleep (param i32) (result i32)))
    (func $explode_here (param i32) (result i32) (drop (call $sleep (local.get 0))) (unreachable))
    (func (export "run") (param i32) (result i32) (call $explode_here (local.get 0))))`)
  binaryen.setDebugInfo(true)
  try {
    return mod.emitBinary()
  } finally {
    binaryen.setDebugInfo(false)
    mod.dispose()
  }
}

describe('names and debug info', () => {
  const context = { root: REPO_ROOT, filename: 'test/fixtures/wasm/compute.wasm' }

  it('development keeps the name section; DWARF is always dropped, and the build line says so', async () => {
    const input = fixture('compute.wasm')
    expect(customSections(input).has('.debug_info')).toBe(true) // wasi-libc's DWARF
    const dev = await asyncify(input, { cacheDir: false }, { ...context, mode: 'development' })
    for (const wasm of [dev.wasm, dev.jspiWasm!]) {
      expect([...customSections(wasm)]).toEqual(['name'])
    }
    expect(formatReport(dev.report)).toMatch(/, DWARF removed \(\d+\.\d kB, stale after the pass\)/)
    const prod = await asyncify(input, { cacheDir: false }, { ...context, mode: 'production' })
    for (const wasm of [prod.wasm, prod.jspiWasm!]) expect([...customSections(wasm)]).toEqual([])
    expect(prod.report.dwarfRemovedBytes).toBeGreaterThan(30_000)
    const kept = await asyncify(
      input,
      { cacheDir: false, keepNames: true },
      { ...context, mode: 'production' },
    )
    expect([...customSections(kept.wasm)]).toEqual(['name'])
  })

  it('a trap in a development build names the C function in the stack trace; production does not', async () => {
    const bytes = await trapBytes()
    const stackOf = async (mode: 'development' | 'production') => {
      const { wasm } = await asyncify(bytes, { cacheDir: false, jspi: 'off', optimizeLevel: 1 }, { mode })
      const { instance } = await WebAssembly.instantiate(wasm, { env: { sleep: (x: number) => x } })
      try {
        ;(instance.exports.run as (x: number) => number)(1)
      } catch (error) {
        return String((error as Error).stack)
      }
      throw new Error('expected a trap')
    }
    expect(await stackOf('development')).toMatch(/explode_here/)
    expect(await stackOf('production')).not.toMatch(/explode_here/)
  })

  it('a stripped input gets the names Binaryen gives its functions when keepNames is on (dev), none in production', async () => {
    const stripped = fixture('calls-wasm-opt.wasm')
    expect(customSections(stripped).has('name')).toBe(false)
    const options = { cacheDir: false as const, jspi: 'auto' as const, asyncImports: ['env.sleep'] }
    const dev = await asyncify(stripped, options, { mode: 'development' })
    const names = (wasm: Uint8Array<ArrayBuffer>) =>
      WebAssembly.Module.customSections(new WebAssembly.Module(wasm), 'name').length
    // what addList and onlyList accept for this module, so an error can name the exact entry
    expect(names(dev.wasm)).toBe(1)
    expect(names(dev.jspiWasm!)).toBe(1)
    const prod = await asyncify(stripped, options, { mode: 'production' })
    expect(names(prod.wasm)).toBe(0)
  })
})
