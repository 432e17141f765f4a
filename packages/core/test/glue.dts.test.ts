import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
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
