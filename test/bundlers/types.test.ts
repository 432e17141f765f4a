// TypeScript for `?asyncify` imports, checked with the real compiler: the declarations a build writes with
// `dts`, and the generic `unplugin-asyncify/client` types. Correct usage must compile; wrong usage must not.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundlers, clean } from './builders.ts'
import { FIXTURE_APP, fixtureOptions, prepareFixtureApp, TMP } from './utils.ts'

const DIR = join(TMP, 'types')
const DTS = join(DIR, 'asyncify-wasm.d.ts')

const usage = {
  ok: `
import { add64, heap_check, run } from './compute.wasm?asyncify'
import * as compute from '../somewhere/else/compute.wasm?asyncify'
import init, { type Exports } from './compute.wasm?asyncify&init'
import { run as viaAlias } from '@/compute.wasm?asyncify'
import initViaAlias from '~/src/compute.wasm?asyncify&init'

const n: number = await run(50, 1)
const big: bigint = await add64(2n, 3n)
const sum: number = await compute.heap_check()
// env comes from importModules, so init() needs no argument; what is passed is typed.
const game = await init()
const other = await init({ env: { sleep: (ms) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)) } }, { jspi: 'off' })
const memory: WebAssembly.Memory = game.exports.memory
const viaInstance: number = await other.exports.run(1, 2)
const typed: Exports['run'] = game.exports.run
// Aliased specifiers get the same declarations.
const aliased: number = await viaAlias(1, 2)
const aliasedInit: number = await (await initViaAlias()).exports.run(1, 2)
export { aliased, aliasedInit, big, heap_check, memory, n, sum, typed, viaInstance }
`,
  wrong: {
    'run takes numbers': [`import { run } from './compute.wasm?asyncify'\nrun('50', 1)`, 2345],
    'run resolves to a number': [
      `import { run } from './compute.wasm?asyncify'\nexport const s: string = await run(1, 2)`,
      2322,
    ],
    'an aliased import is typed too': [`import { run } from '@/compute.wasm?asyncify'\nrun('50', 1)`, 2345],
    'add64 takes bigints': [`import { add64 } from './compute.wasm?asyncify'\nadd64(2, 3n)`, 2345],
    'no such export': [`import { missing } from './compute.wasm?asyncify'\nmissing()`, 2305],
    'sleep returns a number': [
      `import init from './compute.wasm?asyncify&init'\ninit({ env: { sleep: () => 'soon' } })`,
      2322,
    ],
    'unknown init option': [
      `import init from './compute.wasm?asyncify&init'\ninit({}, { jspi: 'sometimes' })`,
      2322,
    ],
  } as Record<string, [string, number]>,
  // Only the generic client types: named imports are allowed (untyped), init() is typed.
  client: `/// <reference types="unplugin-asyncify/client" />
import { whatever } from './other.wasm?asyncify'
import * as other from './other.wasm?asyncify'
import init from './other.wasm?asyncify&init'
await whatever(1, 2)
await other.anything()
const instance = await init({ env: {} }, { jspi: 'auto' })
const mode: 'asyncify' | 'jspi' = instance.mode
export { mode }
`,
  clientWrong: `/// <reference types="unplugin-asyncify/client" />\nimport init from './other.wasm?asyncify&init'\ninit({}, { jspi: 'sometimes' })\nexport {}\n`,
}

function check(files: string[], extra: ts.CompilerOptions = {}): ts.Diagnostic[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    ...extra,
  }
  const program = ts.createProgram(
    files.map((file) => join(DIR, file)),
    options,
  )
  return [...ts.getPreEmitDiagnostics(program)]
}

const inFile = (found: ts.Diagnostic[], file: string) =>
  found.filter((d) => d.file?.fileName === join(DIR, file))
const show = (found: ts.Diagnostic[]) =>
  ts.formatDiagnostics(found, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => DIR,
    getNewLine: () => '\n',
  })
const wrongFile = (name: string) => `wrong-${name.replace(/\W+/g, '-')}.ts`

describe('dts option', () => {
  let found: ts.Diagnostic[] = []

  beforeAll(async () => {
    await prepareFixtureApp()
    await clean(DIR)
    await mkdir(DIR, { recursive: true })
    // Any bundler writes the same file; Rollup is the quickest to set up.
    const rollup = bundlers.find((bundler) => bundler.name === 'rollup')!
    await rollup.build({
      app: FIXTURE_APP,
      entry: 'src/main.js',
      outDir: join(DIR, 'dist'),
      options: fixtureOptions(FIXTURE_APP, { dts: DTS }),
    })
    await writeFile(join(DIR, 'ok.ts'), usage.ok)
    for (const [name, [code]] of Object.entries(usage.wrong))
      await writeFile(join(DIR, wrongFile(name)), `${code}\nexport {}\n`)
    found = check(['asyncify-wasm.d.ts', 'ok.ts', ...Object.keys(usage.wrong).map(wrongFile)])
  })

  it('writes declarations for the imported wasm, with no errors of their own', async () => {
    const text = await readFile(DTS, 'utf8')
    expect(text).toContain('declare module ".*/compute.wasm?asyncify"')
    expect(text).toContain('declare module "@*/compute.wasm?asyncify"')
    expect(show(inFile(found, 'asyncify-wasm.d.ts'))).toBe('')
  })

  it('compiles correct usage', () => {
    expect(show(inFile(found, 'ok.ts'))).toBe('')
  })

  for (const [name, [, code]] of Object.entries(usage.wrong)) {
    it(`rejects wrong usage: ${name} (TS${code})`, () => {
      expect(inFile(found, wrongFile(name)).map((d) => d.code)).toContain(code)
    })
  }
})

describe('unplugin-asyncify/client', () => {
  it('types ?asyncify&init and lets named ?asyncify imports through', async () => {
    await mkdir(DIR, { recursive: true })
    await writeFile(join(DIR, 'client.ts'), usage.client)
    await writeFile(join(DIR, 'client-wrong.ts'), usage.clientWrong)
    const found = check(['client.ts', 'client-wrong.ts'])
    expect(show(inFile(found, 'client.ts'))).toBe('')
    expect(inFile(found, 'client-wrong.ts').map((d) => d.code)).toContain(2322)
  })
})

describe('entry types', () => {
  it("each entry returns its bundler's plugin type", async () => {
    const code = `
import type { RspackPluginInstance } from '@rspack/core'
import type { Plugin as EsbuildPlugin } from 'esbuild'
import type { Plugin as RolldownPlugin } from 'rolldown'
import type { Plugin as RollupPlugin } from 'rollup'
import esbuild from 'unplugin-asyncify/esbuild'
import rolldown from 'unplugin-asyncify/rolldown'
import rollup from 'unplugin-asyncify/rollup'
import rspack from 'unplugin-asyncify/rspack'
import vite from 'unplugin-asyncify/vite'
import webpack from 'unplugin-asyncify/webpack'
import type { Plugin as VitePlugin } from 'vite'
import type { WebpackPluginInstance } from 'webpack'

export const plugins: [VitePlugin, RollupPlugin, RolldownPlugin, WebpackPluginInstance, RspackPluginInstance, EsbuildPlugin] = [
  vite({ asyncImports: ['env.sleep'], dts: true }),
  rollup(),
  rolldown({ inline: 4096 }),
  webpack({ importModules: { env: './src/env.js' } }),
  rspack({ include: ['src/**/*.wasm'], exclude: [/vendor/] }),
  esbuild({ silent: true }),
]
// @ts-expect-error: options are typed
vite({ inline: 'yes' })
`
    await mkdir(DIR, { recursive: true })
    await writeFile(join(DIR, 'entries.ts'), code)
    // The bundlers' own declarations are not ours to check.
    const found = check(['entries.ts'], { skipLibCheck: true, types: ['node'] })
    expect(show(found)).toBe('')
  })
})
