import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { WasmMeta } from '@unplugin-asyncify/runtime'
import { describe, expect, it } from 'vitest'
import { type GlueOptions, genGlue } from '../src/glue/js.ts'
import { glueMeta } from './fixtures/glue-meta.ts'

const RUNTIME = '/project/node_modules/@unplugin-asyncify/runtime/dist/index.mjs'
const WASI = '/project/node_modules/@unplugin-asyncify/wasi/dist/index.mjs'
const PROFILE = '/project/node_modules/@unplugin-asyncify/runtime/dist/profile.mjs'
const TMP = join(import.meta.dirname, '.tmp/glue')
const wasiMeta: WasmMeta = {
  ...glueMeta,
  imports: [
    ...glueMeta.imports,
    {
      module: 'wasi_snapshot_preview1',
      name: 'fd_read',
      kind: 'function',
      sig: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
      suspending: true,
    },
  ],
}

/** One case per bundler strategy: the same meta, different ways to reach the bytes. */
const cases: Record<string, GlueOptions> = {
  'rollup-exports': {
    meta: glueMeta,
    variant: 'exports',
    runtime: RUNTIME,
    sources: {
      asyncify: { kind: 'rollup-ref', referenceId: 'a1b2c3' },
      jspi: { kind: 'rollup-ref', referenceId: 'd4$e5' },
    },
    importModules: { env: '/project/src/wasm-env.js', './math.js': '/project/src/math.js' },
    name: 'src/compute.wasm',
  },
  'rollup-init': {
    meta: glueMeta,
    variant: 'init',
    runtime: RUNTIME,
    sources: {
      asyncify: { kind: 'rollup-ref', referenceId: 'a1b2c3' },
      jspi: { kind: 'rollup-ref', referenceId: 'd4$e5' },
    },
    importModules: { env: '/project/src/wasm-env.js' },
    name: 'src/compute.wasm',
  },
  'webpack-init-no-defaults': {
    meta: glueMeta,
    variant: 'init',
    runtime: RUNTIME,
    sources: {
      asyncify: {
        kind: 'asset-path',
        path: '/project/node_modules/.cache/unplugin-asyncify/assets/compute-0123.wasm',
      },
      jspi: {
        kind: 'asset-path',
        path: '/project/node_modules/.cache/unplugin-asyncify/assets/compute.jspi-4567.wasm',
      },
    },
  },
  'vite-dev-exports': {
    meta: glueMeta,
    variant: 'exports',
    runtime: '\0unplugin-asyncify/runtime.js',
    sources: {
      asyncify: { kind: 'url-import', specifier: '/project/node_modules/.cache/a "quoted".wasm?url' },
    },
  },
  'ssr-dev-jspi-only': {
    meta: { ...glueMeta, jspi: 'only' },
    variant: 'exports',
    runtime: RUNTIME,
    sources: { jspi: { kind: 'url', url: 'file:///project/node_modules/.cache/compute.wasm' } },
  },
  // WASI: instantiateWasi instead of the runtime's instantiate, the configured options (JSON) with the
  // options module's default export over them; init() merges options.wasi over both.
  'wasi-exports': {
    meta: wasiMeta,
    variant: 'exports',
    runtime: RUNTIME,
    sources: { asyncify: { kind: 'inline', base64: 'AGFzbQEAAAA=' } },
    wasi: {
      module: WASI,
      options: { args: ['lua', '-i'], env: { 'A "B"': '</script>' } },
      optionsModule: '/project/src/wasi-options.js',
    },
  },
  'wasi-init': {
    meta: wasiMeta,
    variant: 'init',
    runtime: RUNTIME,
    sources: { asyncify: { kind: 'inline', base64: 'AGFzbQEAAAA=' } },
    importModules: { env: '/project/src/wasm-env.js' },
    wasi: { module: WASI },
  },
  // Record mode (profile: 'record' in development): the recorder module, created once per glue module; a
  // browser page of the Vite dev server hands its samples over import.meta.hot.
  'vite-dev-record-exports': {
    meta: glueMeta,
    variant: 'exports',
    runtime: RUNTIME,
    sources: { asyncify: { kind: 'url-import', specifier: '/project/node_modules/.cache/compute.wasm?url' } },
    recorder: {
      module: PROFILE,
      options: {
        file: '/project/src/compute.asyncify-profile.json',
        module: { sha256: 'ab12', functions: 42, names: 'input' },
      },
      hot: true,
    },
  },
  'record-wasi-init': {
    meta: wasiMeta,
    variant: 'init',
    runtime: RUNTIME,
    sources: { asyncify: { kind: 'inline', base64: 'AGFzbQEAAAA=' } },
    wasi: { module: WASI },
    recorder: {
      module: PROFILE,
      options: {
        file: '/project/src/a "quoted" dir/lua.asyncify-profile.json',
        module: { sha256: 'cd34', functions: 7, names: 'index' },
      },
      hot: false,
    },
  },
  'inline-init': {
    meta: glueMeta,
    variant: 'init',
    runtime: RUNTIME,
    sources: { asyncify: { kind: 'inline', base64: 'AGFzbQEAAAA=' } },
  },
}

describe('genGlue', () => {
  for (const [name, options] of Object.entries(cases)) {
    it(`${name}: matches the reviewed file and is valid ESM`, async () => {
      const code = genGlue(options)
      await expect(code).toMatchFileSnapshot(`__snapshots__/glue/${name}.js`)
      // `node --check` parses the module for real: every generated binding, string export and import must be legal.
      await mkdir(TMP, { recursive: true })
      const file = join(TMP, `${name}.mjs`)
      await writeFile(file, code)
      await promisify(execFile)(process.execPath, ['--check', file])
    })
  }

  it('exports every function export by name and nothing else', () => {
    const code = genGlue(cases['rollup-exports']!)
    const exported = [...code.matchAll(/^export (?:const (\S+) =|\{ \S+ as ("[^"]+") \})/gm)].map(
      (m) => m[1] ?? JSON.parse(m[2]!),
    )
    const functions = glueMeta.exports.filter((entry) => entry.kind === 'function').map((entry) => entry.name)
    expect(exported.sort()).toEqual(functions.sort())
  })

  it('aliases names that cannot be bindings', () => {
    const code = genGlue(cases['rollup-exports']!)
    expect(code).toContain('export { __asyncify_export_5 as "weird-name" }')
    expect(code).toContain('export { __asyncify_export_6 as "default" }')
    expect(code).toContain('export { __asyncify_export_7 as "__asyncify_meta" }')
    expect(code).toContain('export const run = ')
  })

  it('rejects input it cannot represent', () => {
    expect(() => genGlue({ ...cases['rollup-init']!, sources: {} })).toThrow(/asyncify or a jspi/)
    expect(() =>
      genGlue({
        ...cases['rollup-init']!,
        sources: { asyncify: { kind: 'rollup-ref', referenceId: 'x); alert(1' } },
      }),
    ).toThrow(/invalid reference id/)
  })
})
