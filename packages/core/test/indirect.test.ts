// Build-time warning for the one silent-wrong-result trap of ignoreIndirect: an async import that the program
// reaches only through function pointers.
import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/index.ts'
import { fixture } from './helpers/fixtures.ts'

describe('ignoreIndirect and imports reached only through function pointers', () => {
  it('warns naming the import and the fix; no warning without ignoreIndirect or with a direct path', async () => {
    const build = (file: string, asyncImports: string[], ignoreIndirect: boolean) =>
      asyncify(fixture(file), { cacheDir: false, jspi: 'off', asyncImports, ignoreIndirect }, {})
    const warned = await build('pointer-pause.wasm', ['env.read_line'], true)
    expect(warned.report.warnings).toEqual([
      expect.stringMatching(
        /^asyncImports entry "env\.read_line" is reached only through function pointers, and ignoreIndirect is on: .*ASYNCIFY_NOT_INSTRUMENTED.*addList/,
      ),
    ])
    expect(warned.meta.exports.find((e) => e.name === 'repl')?.suspending).toBe(false)
    expect((await build('pointer-pause.wasm', ['env.read_line'], false)).report.warnings).toEqual([])
    // compute.wasm reaches env.sleep directly too (run, deep): ignoreIndirect is the user's informed choice
    expect((await build('compute.wasm', ['env.sleep'], true)).report.warnings).toEqual([])
  })
})
