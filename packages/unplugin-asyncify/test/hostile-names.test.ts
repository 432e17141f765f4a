/**
 * Wasm module names and file names are untrusted: names that are Object.prototype members, and file names with
 * line terminators, `*`, backslashes and URL syntax, must neither crash the plugin nor change what it generates.
 */

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AsyncifyResult, WasmMeta } from '@unplugin-asyncify/core'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { assetStem, wasmAssets } from '../src/plugin/assets.ts'
import { DtsFile } from '../src/plugin/dts-file.ts'
import { resolveImportModules, unprovidedModules } from '../src/plugin/import-modules.ts'
import { resolvePluginOptions } from '../src/plugin/options.ts'
import { slash } from '../src/plugin/paths.ts'

const TMP = join(import.meta.dirname, '.tmp/hostile-names')
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']

function metaImporting(modules: string[], exportNames: string[] = ['run']): WasmMeta {
  return {
    version: 2,
    imports: modules.map((module) => ({
      module,
      name: 'f',
      kind: 'function',
      sig: { params: [], results: [] },
    })),
    exports: exportNames.map((name) => ({
      name,
      kind: 'function',
      sig: { params: [], results: ['i32'] },
      suspending: true,
    })),
    memory: { origin: 'internal', is64: false, shared: false, initial: 1 },
    buffer: { stackSize: 65536, top: {} },
    maxPausedCalls: 16,
    inWasmRuntime: false,
    jspi: 'auto',
  }
}

afterAll(() => rm(TMP, { recursive: true, force: true }))

describe('import module names that are Object.prototype members', () => {
  it('are not provided unless configured, and listed as unprovided', () => {
    const meta = metaImporting(PROTO_NAMES)
    const { importModules } = resolvePluginOptions({})
    const found = resolveImportModules(meta, '/project/src/game.wasm', '/project', importModules)
    expect(Object.keys(found)).toEqual([])
    expect(unprovidedModules(meta, found)).toEqual(PROTO_NAMES)
  })

  it('are resolved as own keys when configured, __proto__ included', () => {
    const meta = metaImporting(PROTO_NAMES)
    // What a JSON config (or a computed key) gives: an own "__proto__" property.
    const configured = JSON.parse(
      '{"__proto__": "./p.js", "constructor": "./c.js", "toString": "pkg-to-string"}',
    ) as Record<string, string>
    const { importModules } = resolvePluginOptions({ importModules: configured })
    expect(Object.getPrototypeOf(importModules)).toBe(null)
    const found = resolveImportModules(meta, '/project/src/game.wasm', '/project', importModules)
    expect(Object.getPrototypeOf(found)).toBe(null)
    expect(Object.entries(found)).toEqual([
      ['__proto__', '/project/p.js'],
      ['constructor', '/project/c.js'],
      ['toString', 'pkg-to-string'],
    ])
    expect(unprovidedModules(meta, found)).toEqual(['hasOwnProperty', 'valueOf'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('file names', () => {
  it('asset names keep letters, digits, dots, dashes and underscores only', () => {
    expect(assetStem('/p/src/game.wasm')).toBe('game')
    expect(assetStem('/p/src/jeu-été_2.wasm')).toBe('jeu-été_2')
    expect(assetStem('/p/a\\b#c?d%20e"f\u2028g\nh*i.wasm')).toBe('a_b_c_d_20e_f_g_h_i')
    expect(assetStem('/p/..hidden.wasm')).toBe('hidden')
    expect(assetStem('/p/#?.wasm')).toBe('_')
    expect(assetStem('/p/.wasm')).toBe('module')
    // Cut by code point: never half a surrogate pair.
    const long = assetStem(`/p/${'𝒜'.repeat(100)}.wasm`)
    expect([...long]).toHaveLength(64)
    expect(long).toBe('𝒜'.repeat(64))
    const result = { wasm: new Uint8Array([1]), jspiWasm: new Uint8Array([2]), meta: metaImporting([]) }
    expect(
      wasmAssets('/p/x\\y.wasm', result as unknown as AsyncifyResult).map((asset) => asset.name),
    ).toEqual(['x_y.wasm', 'x_y.jspi.wasm'])
  })

  it('a backslash is a file name character outside Windows', () => {
    expect(slash('/p/a\\b.wasm')).toBe(process.platform === 'win32' ? '/p/a/b.wasm' : '/p/a\\b.wasm')
  })
})

describe('the dts file with hostile file names', () => {
  const ROOT = join(TMP, 'project')
  const OUT = join(ROOT, 'asyncify-wasm.d.ts')
  const NAMES = ['line\u2028sep.wasm', 'new\nline.wasm', 'back\\slash.wasm', 'quote"s.wasm']

  beforeEach(async () => {
    await rm(ROOT, { recursive: true, force: true })
    await mkdir(join(ROOT, 'src/st*ar'), { recursive: true })
    for (const name of [...NAMES, 'st*ar/game.wasm', 'st*ar/twin.wasm', 'twin.wasm', 'a*b.wasm'])
      await writeFile(join(ROOT, 'src', name), '')
  })

  it('markers are JSON strings that survive a reload; names needing a second `*` get no block', async () => {
    const dts = new DtsFile(OUT, ROOT)
    for (const name of NAMES)
      expect(await dts.update(join(ROOT, 'src', name), metaImporting([]), [])).toBe(true)
    // `*` in a directory is fine while the file name alone is unique; not when the directory is needed.
    expect(await dts.update(join(ROOT, 'src/st*ar/game.wasm'), metaImporting([]), [])).toBe(true)
    expect(await dts.update(join(ROOT, 'src/twin.wasm'), metaImporting([]), [])).toBe(true)
    expect(await dts.update(join(ROOT, 'src/st*ar/twin.wasm'), metaImporting([]), [])).toBe(false)
    expect(await dts.update(join(ROOT, 'src/a*b.wasm'), metaImporting([]), [])).toBe(false)
    const text = await readFile(OUT, 'utf8')
    expect(text).not.toMatch(/[\u2028\u2029]/)
    // Every line is a comment, a declaration or a closing brace: no file name started a line of its own.
    for (const line of text.split('\n')) expect(line).toMatch(/^(?:\/\/ |declare module |\s+|}|$)/)
    const modules = [...text.matchAll(/^declare module (".*") \{$/gm)].map((m) => JSON.parse(m[1]!) as string)
    // The import patterns (prefix `.`): every file but those whose suffix would need a second `*`.
    expect(modules.filter((name) => name.startsWith('.*/') && name.endsWith('?asyncify')).sort()).toEqual(
      [...NAMES, 'game.wasm', 'src/twin.wasm'].map((name) => `.*/${name}?asyncify`).sort(),
    )
    // The exact module per file, for all of them, with `*` encoded: no name is a pattern by accident.
    expect(
      modules.filter((name) => name.startsWith('unplugin-asyncify:') && name.endsWith('?asyncify')).sort(),
    ).toEqual(
      [...NAMES, 'st%2Aar/game.wasm', 'st%2Aar/twin.wasm', 'twin.wasm', 'a%2Ab.wasm']
        .map((name) => `unplugin-asyncify:src/${name}?asyncify`)
        .sort(),
    )
    for (const name of modules) expect(name.split('*').length).toBeLessThanOrEqual(2)

    // A new process keeps the blocks of files it did not process, read back from the escaped markers.
    const again = new DtsFile(OUT, ROOT)
    await again.update(join(ROOT, 'src', NAMES[0]!), metaImporting([]), [])
    expect(await readFile(OUT, 'utf8')).toBe(text)
  })
})
