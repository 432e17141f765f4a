import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { WasmMeta } from '@unplugin-asyncify/runtime'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import { genDts } from '../src/glue/dts.ts'
import { glueMeta } from './fixtures/glue-meta.ts'

const TMP = join(import.meta.dirname, '.tmp/dts')
const RUNTIME_SRC = resolve(import.meta.dirname, '../../runtime/src/index.ts')

const dts = genDts({
  meta: glueMeta,
  pattern: '.*/compute.wasm',
  typesFrom: '@unplugin-asyncify/runtime',
  providedModules: ['./math.js'],
})

const okUsage = `
import { add64, heap_init, pair, run } from './compute.wasm?asyncify'
import * as all from '../elsewhere/compute.wasm?asyncify'
import init, { type Exports } from './compute.wasm?asyncify&init'

const n: number = await run(1, 2)
const big: bigint = await add64(1n, 2n)
const [first, second]: [number, bigint] = await pair(1)
const nothing: void = await heap_init(3)
const weird: number = await all['weird-name']()
const game = await init(
  { env: { sleep: (ms) => new Promise<number>((r) => setTimeout(() => r(ms), ms)), log: () => {}, get_i64: (v) => v } },
  { jspi: 'off' },
)
const memory: WebAssembly.Memory = game.exports.memory
const viaInstance: number = await game.exports.run(1, 2)
const typed: Exports['add64'] = game.exports.add64
export { big, first, memory, n, nothing, second, typed, viaInstance, weird }
`

/** Each line must fail to compile on its own, with this TypeScript error code. */
const wrongUsages: [string, string, number][] = [
  ['string argument', `import { run } from './compute.wasm?asyncify'\nrun('1', 2)`, 2345],
  [
    'result is not a string',
    `import { run } from './compute.wasm?asyncify'\nexport const s: string = await run(1, 2)`,
    2322,
  ],
  ['i64 needs a bigint', `import { add64 } from './compute.wasm?asyncify'\nadd64(1, 2n)`, 2345],
  ['no such export', `import { nope } from './compute.wasm?asyncify'\nnope()`, 2614],
  ['init needs the env imports', `import init from './compute.wasm?asyncify&init'\ninit()`, 2554],
  [
    'a non-pausing import must not return a promise',
    `import init from './compute.wasm?asyncify&init'\ninit({ env: { sleep: () => 1, log: () => {}, get_i64: () => Promise.resolve(1) } })`,
    2322,
  ],
  [
    'exports are promises',
    `import init from './compute.wasm?asyncify&init'\nconst g = await init({ env: { sleep: () => 1, log: () => {}, get_i64: (v) => v } })\nexport const r: number = g.exports.run(1, 2)`,
    2322,
  ],
]

/** Type-check every file in one program (one lib load instead of one per case). */
function diagnostics(files: string[]): ts.Diagnostic[] {
  const host = ts.createCompilerHost({})
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    allowImportingTsExtensions: true,
    paths: { '@unplugin-asyncify/runtime': [RUNTIME_SRC] },
  }
  const program = ts.createProgram(
    files.map((name) => join(TMP, name)),
    options,
    host,
  )
  return [...ts.getPreEmitDiagnostics(program)]
}

function show(list: ts.Diagnostic[]): string {
  return ts.formatDiagnostics(list, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => TMP,
    getNewLine: () => '\n',
  })
}

const wrongFile = (name: string) => `wrong-${name.replace(/\W+/g, '-')}.ts`

describe('genDts', () => {
  let found: ts.Diagnostic[] = []
  const inFile = (name: string) => found.filter((d) => d.file?.fileName === join(TMP, name))

  beforeAll(async () => {
    await rm(TMP, { recursive: true, force: true })
    await mkdir(TMP, { recursive: true })
    await writeFile(join(TMP, 'asyncify-wasm.d.ts'), dts)
    await writeFile(join(TMP, 'ok.ts'), okUsage)
    for (const [name, code] of wrongUsages)
      await writeFile(join(TMP, wrongFile(name)), `${code}\nexport {}\n`)
    found = diagnostics(['asyncify-wasm.d.ts', 'ok.ts', ...wrongUsages.map(([name]) => wrongFile(name))])
  })

  it('matches the reviewed file', async () => {
    await expect(dts).toMatchFileSnapshot('__snapshots__/glue/compute.d.ts.snap')
  })

  it('has no errors in the declarations themselves', () => {
    expect(show(inFile('asyncify-wasm.d.ts'))).toBe('')
  })

  it('types a correct usage (tsc reports nothing)', () => {
    expect(show(inFile('ok.ts'))).toBe('')
  })

  for (const [name, , expected] of wrongUsages) {
    it(`rejects: ${name} (TS${expected})`, () => {
      expect(inFile(wrongFile(name)).map((d) => d.code)).toContain(expected)
    })
  }
})

// A WASI command whose glue wires @unplugin-asyncify/wasi in: `_start` resolves the exit status, init() takes
// `options.wasi`, and the wasi_snapshot_preview1 imports may be left out.
describe('genDts with WASI', () => {
  const WASI_SRC = resolve(import.meta.dirname, '../../wasi/src/index.ts')
  const dir = join(TMP, 'wasi')
  const wasiMeta: WasmMeta = {
    ...glueMeta,
    imports: [
      {
        module: 'wasi_snapshot_preview1',
        name: 'fd_read',
        kind: 'function',
        sig: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
        suspending: true,
      },
      {
        module: 'wasi_snapshot_preview1',
        name: 'proc_exit',
        kind: 'function',
        sig: { params: ['i32'], results: [] },
      },
    ],
    exports: [
      { name: 'memory', kind: 'memory' },
      { name: '_start', kind: 'function', sig: { params: [], results: [] }, suspending: true },
    ],
  }
  const wasiDts = genDts({
    meta: wasiMeta,
    pattern: '.*/prog.wasm',
    typesFrom: '@unplugin-asyncify/runtime',
    wasi: true,
    wasiTypesFrom: '@unplugin-asyncify/wasi',
  })
  const ok = `
import { _start } from './prog.wasm?asyncify'
import init from './prog.wasm?asyncify&init'
const status: { exitCode: number } = await _start()
const prog = await init(undefined, {
  jspi: 'off',
  wasi: { args: ['prog', '-i'], env: { HOME: '/' }, stdin: async () => 'line', stdout: { write: (_bytes: Uint8Array) => {} }, files: { '/a.txt': 'a' } },
})
const code: number = (await prog.exports._start()).exitCode
const exited: number | undefined = prog.exitCode
const own = await init({ wasi_snapshot_preview1: { proc_exit: () => {} } })
export { code, exited, own, status }
`
  const wrong: [string, string, number][] = [
    ['_start resolves the exit status, not a number', `export const n: number = await _start()`, 2322],
    ['unknown WASI option', `init({}, { wasi: { argv: ['x'] } })`, 2353],
    ['stdin is not a number', `init({}, { wasi: { stdin: 42 } })`, 2322],
  ]
  let found: ts.Diagnostic[] = []
  const inFile = (name: string) => found.filter((d) => d.file?.fileName === join(dir, name))

  beforeAll(async () => {
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'asyncify-wasm.d.ts'), wasiDts)
    await writeFile(join(dir, 'ok.ts'), ok)
    const header = `import { _start } from './prog.wasm?asyncify'\nimport init from './prog.wasm?asyncify&init'\n`
    for (const [name, code] of wrong)
      await writeFile(join(dir, wrongFile(name)), `${header}${code}\nexport {}\n`)
    const program = ts.createProgram(
      ['asyncify-wasm.d.ts', 'ok.ts', ...wrong.map(([name]) => wrongFile(name))].map((name) =>
        join(dir, name),
      ),
      {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        allowImportingTsExtensions: true,
        paths: { '@unplugin-asyncify/runtime': [RUNTIME_SRC], '@unplugin-asyncify/wasi': [WASI_SRC] },
      },
    )
    found = [...ts.getPreEmitDiagnostics(program)]
  })

  it('matches the reviewed file', async () => {
    await expect(wasiDts).toMatchFileSnapshot('__snapshots__/glue/wasi.d.ts.snap')
  })

  it('types a correct usage, with and without options (tsc reports nothing)', () => {
    expect(show([...inFile('asyncify-wasm.d.ts'), ...inFile('ok.ts')])).toBe('')
  })

  for (const [name, , expected] of wrong) {
    it(`rejects: ${name} (TS${expected})`, () => {
      expect(inFile(wrongFile(name)).map((d) => d.code)).toContain(expected)
    })
  }
})
