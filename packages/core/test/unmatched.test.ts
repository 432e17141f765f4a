// List entries that match nothing warn at build time with the closest real name and the real names.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/asyncify.ts'
import type { AsyncifyOptions } from '../src/options.ts'
import { unmatchedEntryWarnings } from '../src/unmatched.ts'
import { readFunctionNames } from '../src/wasm-sections.ts'
import { glueMeta } from './fixtures/glue-meta.ts'
import { fixture } from './helpers/fixtures.ts'

const lists = { asyncImports: undefined, addList: [], removeList: [], onlyList: [] }

describe('unmatchedEntryWarnings', () => {
  it('names a misspelled import, the closest real one and the real imports', () => {
    expect(
      unmatchedEntryWarnings(
        { ...lists, asyncImports: ['env.slep', 'env.sleep', 'env.get_*'] },
        glueMeta,
        [],
      ),
    ).toEqual([
      'asyncImports entry "env.slep" matches no function import, so nothing pauses there. Did you mean "env.sleep"? ' +
        `(the module's function imports are ["env.sleep", "env.log", "env.get_i64", "./math.js.twice"])`,
    ])
  })

  it('gives no guess for a wildcard or a name far from every import, and cuts long lists', () => {
    const many = Array.from({ length: 9 }, (_, i) => `f${i}`)
    expect(unmatchedEntryWarnings({ ...lists, asyncImports: ['wasi.*'] }, glueMeta, [])).toEqual([
      'asyncImports entry "wasi.*" matches no function import, so nothing pauses there. ' +
        `(the module's function imports are ["env.sleep", "env.log", "env.get_i64", "./math.js.twice"])`,
    ])
    expect(
      unmatchedEntryWarnings({ ...lists, addList: ['completely_different_name'] }, glueMeta, many),
    ).toEqual([
      'addList entry "completely_different_name" matches no function, so the entry has no effect. ' +
        `(the module's functions are ["f0", "f1", "f2", "f3", "f4", "f5", ... (3 more)])`,
    ])
  })

  it('stays quiet about an entry another wasm file may use, unless it looks like a typo', () => {
    // One plugin config serves every wasm file: env.read_key may be another file's import.
    expect(
      unmatchedEntryWarnings({ ...lists, asyncImports: ['env.sleep', 'env.read_key'] }, glueMeta, []),
    ).toEqual([])
    expect(
      unmatchedEntryWarnings({ ...lists, asyncImports: ['env.sleep', 'env.get_i46'] }, glueMeta, []),
    ).toEqual([
      expect.stringMatching(
        /^asyncImports entry "env\.get_i46" matches no function import.* Did you mean "env\.get_i64"\?/,
      ),
    ])
  })

  it('leaves out the WASI imports that every list gets', () => {
    const asyncImports = ['env.sleep', 'wasi_snapshot_preview1.fd_read', 'wasi_snapshot_preview1.poll_oneoff']
    expect(unmatchedEntryWarnings({ ...lists, asyncImports }, glueMeta, [])).toEqual([])
  })

  it('checks function lists only when the module has function names', () => {
    expect(unmatchedEntryWarnings({ ...lists, removeList: ['nope'] }, glueMeta, [])).toEqual([])
    expect(unmatchedEntryWarnings({ ...lists, onlyList: ['f*'] }, glueMeta, ['f1'])).toEqual([])
  })
})

describe('readFunctionNames', () => {
  it('reads the name section, and nothing from a stripped module', () => {
    const names = readFunctionNames(fixture('compute.wasm'))
    expect(names).toContain('run')
    expect(names).toContain('env_sleep')
    expect(readFunctionNames(fixture('compute-stripped.wasm'))).toEqual([])
  })
})

describe('asyncify() report', () => {
  it('warns about a misspelled asyncImports entry, also on a cache hit', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'asyncify-unmatched-'))
    const options = {
      asyncImports: ['env.slep'],
      addList: ['deep_re'],
      optimizeLevel: 0,
      jspi: 'off',
      cacheDir,
    } satisfies AsyncifyOptions
    await asyncify(fixture('compute.wasm'), options)
    const result = await asyncify(fixture('compute.wasm'), options)
    expect(result.report.cache).toBe('hit')
    await rm(cacheDir, { recursive: true, force: true })
    expect(result.report.warnings).toContainEqual(
      expect.stringMatching(
        /^asyncImports entry "env\.slep" matches no function import.* Did you mean "env\.sleep"\?/,
      ),
    )
    expect(result.report.warnings).toContainEqual(
      expect.stringMatching(/^addList entry "deep_re" matches no function.* Did you mean "deep_rec"\?/),
    )
  })
})
