import { describe, expect, it } from 'vitest'
import { resolvePluginOptions } from '../src/plugin/options.ts'

describe('resolvePluginOptions', () => {
  it('splits core options from plugin options, with defaults', () => {
    expect(resolvePluginOptions({ asyncImports: ['env.sleep'], stackSize: 4096 })).toEqual({
      core: { asyncImports: ['env.sleep'], stackSize: 4096 },
      importModules: {},
      include: undefined,
      exclude: undefined,
      inlineLimit: 0,
      dts: false,
      silent: false,
      wasi: {},
    })
  })

  it('keeps the wasi settings, or false', () => {
    const wasi = { args: ['lua'], env: { A: 'b' }, files: { '/a.txt': 'a' }, optionsModule: './wasi.js' }
    expect(resolvePluginOptions({ wasi }).wasi).toEqual(wasi)
    expect(resolvePluginOptions({ wasi: false }).wasi).toBe(false)
  })

  it('normalizes inline and dts', () => {
    expect(resolvePluginOptions({ inline: true }).inlineLimit).toBe(Number.POSITIVE_INFINITY)
    expect(resolvePluginOptions({ inline: 4096 }).inlineLimit).toBe(4096)
    expect(resolvePluginOptions({ dts: true }).dts).toBe(true)
    expect(resolvePluginOptions({ dts: 'types/wasm.d.ts' }).dts).toBe('types/wasm.d.ts')
  })

  it.each([
    [{ inline: 'yes' }, '"inline"'],
    [{ inline: -1 }, '"inline"'],
    [{ dts: '' }, '"dts"'],
    [{ silent: 1 }, '"silent"'],
    [{ importModules: ['./env.js'] }, '"importModules"'],
    [{ importModules: { env: 42 } }, 'importModules["env"]'],
    [{ wasi: true }, '"wasi"'],
    [{ wasi: { argv: [] } }, '"wasi.argv"'],
    [{ wasi: { args: 'lua' } }, '"wasi.args"'],
    [{ wasi: { env: { A: 1 } } }, 'wasi.env["A"]'],
    [{ wasi: { files: { '/a': new Uint8Array(1) } } }, 'wasi.files["/a"]'],
    [{ wasi: { optionsModule: '' } }, '"wasi.optionsModule"'],
  ])('rejects %o with ASYNCIFY_INVALID_OPTION', (options, name) => {
    expect(() => resolvePluginOptions(options as never)).toThrow(
      expect.objectContaining({ code: 'ASYNCIFY_INVALID_OPTION', message: expect.stringContaining(name) }),
    )
  })

  it('leaves core options to core (which validates them when it runs)', () => {
    expect(resolvePluginOptions({ optimizeLevel: 9 as never }).core).toEqual({ optimizeLevel: 9 })
  })
})
