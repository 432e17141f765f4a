import { describe, expect, it } from 'vitest'
import { createFileFilter, globToRegExp } from '../src/plugin/filter.ts'

const ROOT = '/project'

describe('createFileFilter', () => {
  it('accepts everything without include or exclude', () => {
    expect(createFileFilter(undefined, undefined, ROOT)('/anywhere/x.wasm')).toBe(true)
  })

  it('resolves globs from the root', () => {
    const filter = createFileFilter('src/**/*.wasm', undefined, ROOT)
    expect(filter('/project/src/game.wasm')).toBe(true)
    expect(filter('/project/src/levels/deep/game.wasm')).toBe(true)
    expect(filter('/project/vendor/game.wasm')).toBe(false)
    expect(filter('/other/src/game.wasm')).toBe(false)
  })

  it('lets exclude win over include, and takes RegExps and arrays', () => {
    const filter = createFileFilter([/\.wasm$/], ['**/vendor/**', /legacy/], ROOT)
    expect(filter('/project/src/game.wasm')).toBe(true)
    expect(filter('/project/node_modules/x/vendor/game.wasm')).toBe(false)
    expect(filter('/project/src/legacy-game.wasm')).toBe(false)
  })

  it('is not confused by global RegExps', () => {
    const filter = createFileFilter(/game/g, undefined, ROOT)
    expect([filter('/project/game.wasm'), filter('/project/game.wasm')]).toEqual([true, true])
  })
})

describe('globToRegExp', () => {
  it('knows *, ** and ?', () => {
    expect(globToRegExp('/a/*.wasm').test('/a/b.wasm')).toBe(true)
    expect(globToRegExp('/a/*.wasm').test('/a/b/c.wasm')).toBe(false)
    expect(globToRegExp('/a/**/c.wasm').test('/a/c.wasm')).toBe(true)
    expect(globToRegExp('/a/**').test('/a/b/c.wasm')).toBe(true)
    expect(globToRegExp('/a/?.wasm').test('/a/b.wasm')).toBe(true)
    expect(globToRegExp('/a/(x)+.wasm').test('/a/(x)+.wasm')).toBe(true)
  })
})
