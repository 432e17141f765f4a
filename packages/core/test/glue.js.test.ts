import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { WasmMeta } from '@unplugin-asyncify/runtime'
import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/asyncify.ts'
import { type GlueOptions, genGlue } from '../src/glue/js.ts'
import { glueMeta } from './fixtures/glue-meta.ts'
import { CORE_DIR, fixture } from './helpers/fixtures.ts'

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
      asyncify: {
        kind: 'url-import',
        specifier: '/project/node_modules/.cache/a "quoted".wasm?url',
        fileUrl: 'file:///project/node_modules/.cache/a%20%22quoted%22.wasm',
      },
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

  it('imports every import of ?asyncify by name, quoting names that are not identifiers', async () => {
    const meta = {
      ...glueMeta,
      imports: [
        { module: 'env', name: 'sleep', kind: 'function' as const },
        { module: 'env', name: 'weird-name', kind: 'function' as const },
        { module: 'env', name: 'memory', kind: 'memory' as const },
      ],
    }
    const code = genGlue({ ...cases['rollup-exports']!, meta, importModules: { env: '/project/src/env.js' } })
    expect(code).toContain(
      'import { sleep as __asyncify_import_0_0, "weird-name" as __asyncify_import_0_1, memory as __asyncify_import_0_2 } from "/project/src/env.js"',
    )
    expect(code).toContain(
      'const __asyncify_defaults = () => ({ __proto__: null, ["env"]: { __proto__: null, ["sleep"]: __asyncify_import_0_0, ["weird-name"]: __asyncify_import_0_1, ["memory"]: __asyncify_import_0_2 } })',
    )
    const file = join(TMP, 'named-imports.mjs')
    await writeFile(file, code)
    await promisify(execFile)(process.execPath, ['--check', file])
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

/** Real glue for no-memory.wasm (twice(x) = 2 * env.sleep(x)), run in Node against the built runtime. */
describe('generated glue at run time', () => {
  const runtime = join(CORE_DIR, '../runtime/dist/index.mjs')

  async function writeGlue(name: string, sources: GlueOptions['sources'], variant: 'init' | 'exports') {
    const result = await asyncify(fixture('no-memory.wasm'), {
      jspi: 'off',
      cacheDir: false,
      optimizeLevel: 1,
    })
    const dir = join(TMP, 'run', name)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'no-memory.wasm'), result.wasm)
    await writeFile(join(dir, 'env.mjs'), 'export const sleep = (ms) => Promise.resolve(ms)\n')
    const importModules = { env: join(dir, 'env.mjs') }
    const code = genGlue({ meta: result.meta, variant, runtime, sources, importModules })
    await writeFile(join(dir, 'glue.mjs'), code)
    return { dir, glue: pathToFileURL(join(dir, 'glue.mjs')).href }
  }
  const env = { env: { sleep: (ms: number) => Promise.resolve(ms) } }

  it('init() compiles the file once and instantiates the same WebAssembly.Module on later calls', async () => {
    const { dir, glue } = await writeGlue(
      'reuse',
      { asyncify: { kind: 'url', url: 'file:///placeholder' } },
      'init',
    )
    // The source is the file next to the glue; count how often the runtime asks for it.
    const url = pathToFileURL(join(dir, 'no-memory.wasm')).href
    await writeFile(
      join(dir, 'glue.mjs'),
      (await readFile(join(dir, 'glue.mjs'), 'utf8')).replace(
        'new URL("file:///placeholder")',
        `(globalThis.__loads = (globalThis.__loads ?? 0) + 1, new URL(${JSON.stringify(url)}))`,
      ),
    )
    const { default: init } = await import(glue)
    const first = await init(env)
    const second = await init(env)
    const third = await init(env, { jspi: 'off' })
    expect((globalThis as { __loads?: number }).__loads).toBe(1)
    expect(second.module).toBe(first.module)
    expect(third.module).toBe(first.module)
    // Still independent instances.
    expect(second.instance).not.toBe(first.instance)
    expect(await second.exports.twice(21)).toBe(42)
  })

  it('a url-import source uses its file: URL when the glue runs from a file: URL (Vitest jsdom, happy-dom)', async () => {
    const { dir, glue } = await writeGlue(
      'file-url',
      {
        asyncify: {
          kind: 'url-import',
          specifier: './served-url.mjs',
          fileUrl: pathToFileURL(join(TMP, 'run/file-url/no-memory.wasm')).href,
        },
      },
      'exports',
    )
    // What Vite's `?url` module would say: a server path, meaningless relative to a file: URL.
    await writeFile(join(dir, 'served-url.mjs'), 'export default "/node_modules/.cache/no-memory.wasm"\n')
    const { twice } = await import(glue)
    expect(await twice(4)).toBe(8)
  })
})
