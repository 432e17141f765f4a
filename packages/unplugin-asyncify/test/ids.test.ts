import { describe, expect, it } from 'vitest'
import {
  ASYNCIFY_ANY_ID_RE,
  ASYNCIFY_ID_RE,
  ASYNCIFY_QUERY_RE,
  parseAsyncifyId,
  splitQuery,
} from '../src/plugin/ids.ts'

describe('ASYNCIFY_ANY_ID_RE (resolve claims these, to refuse non-wasm files clearly)', () => {
  it.each(['./game.wat?asyncify', './game.js?asyncify&init', './game.wasm?asyncify', 'x?import&asyncify'])(
    'matches %s',
    (id) => {
      expect(ASYNCIFY_ANY_ID_RE.test(id)).toBe(true)
    },
  )

  it.each(['./game.wat', './game.js?asyncifyx', './loader.js#asyncify', './game.wasm?url'])(
    'does not match %s',
    (id) => {
      expect(ASYNCIFY_ANY_ID_RE.test(id)).toBe(false)
    },
  )
})

describe('ASYNCIFY_ID_RE', () => {
  it.each([
    './game.wasm?asyncify',
    '/abs/game.wasm?asyncify',
    './game.wasm?asyncify&init',
    './game.wasm?init&asyncify',
    '/src/game.wasm?import&asyncify',
    './game.wasm?asyncify=1',
    './game.wasm?asyncify&t=1700000000',
    'some-pkg/dist/game.wasm?asyncify',
  ])('matches %s', (id) => {
    expect(ASYNCIFY_ID_RE.test(id)).toBe(true)
  })

  it.each([
    // Plain .wasm must stay with the bundler (webpack's async-wasm "auto" default, Vite's ESM integration).
    './game.wasm',
    './game.wasm?init',
    './game.wasm?url',
    './game.wasm?asyncifyx',
    './game.wasm?notasyncify',
    './game.js?asyncify',
    './game.wasm.js?asyncify',
    // `.wasm` only in the query, not the path.
    './loader.js?file=game.wasm&asyncify',
  ])('does not match %s', (id) => {
    expect(ASYNCIFY_ID_RE.test(id)).toBe(false)
  })

  it('uses only syntax Go regexp (esbuild filters) understands', () => {
    expect(ASYNCIFY_ID_RE.source).not.toMatch(/\(\?<?[=!]/)
    expect(ASYNCIFY_QUERY_RE.source).not.toMatch(/\(\?<?[=!]/)
  })
})

describe('ASYNCIFY_QUERY_RE (webpack resourceQuery)', () => {
  it('matches the query alone', () => {
    expect(
      ['?asyncify', '?asyncify&init', '?init&asyncify', '?asyncify='].map((q) => ASYNCIFY_QUERY_RE.test(q)),
    ).toEqual([true, true, true, true])
    expect(['', '?init', '?asyncifyx', '?url'].map((q) => ASYNCIFY_QUERY_RE.test(q))).toEqual([
      false,
      false,
      false,
      false,
    ])
  })
})

describe('parseAsyncifyId', () => {
  it('splits file and variant', () => {
    expect(parseAsyncifyId('/a/game.wasm?asyncify')).toEqual({ file: '/a/game.wasm', variant: 'exports' })
    expect(parseAsyncifyId('/a/game.wasm?asyncify&init')).toEqual({ file: '/a/game.wasm', variant: 'init' })
    expect(parseAsyncifyId('/a/game.wasm?init&asyncify')).toEqual({ file: '/a/game.wasm', variant: 'init' })
    expect(parseAsyncifyId('/a/game.wasm?asyncify&initial=1')).toEqual({
      file: '/a/game.wasm',
      variant: 'exports',
    })
  })

  it('splitQuery keeps the query for after resolution', () => {
    expect(splitQuery('./game.wasm?asyncify&init')).toEqual({ path: './game.wasm', query: '?asyncify&init' })
    expect(splitQuery('./game.wasm')).toEqual({ path: './game.wasm', query: '' })
  })
})
