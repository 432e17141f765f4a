// Hostile file paths and wasm names through real bundlers (Vite, Rollup, webpack with its asset-path glue):
// each build must succeed (so the bundler's parser accepted every generated module), run correctly in a fresh
// Node process, run nothing a name smuggled in, and its generated declarations must type-check.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import ts from 'typescript'
import type { Options } from 'unplugin-asyncify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Bundler, bundlers } from '../bundlers/builders.ts'
import { CACHE_DIR, runBuilt, TMP } from '../bundlers/utils.ts'
import { encodeModule, I32, sleb } from '../fuzz/wasm-writer.ts'

const APP = join(TMP, 'hostile-app')

/**
 * Paths (relative to src/) that end a `//` comment (U+2028/U+2029, `\n`), end a string (quotes), open a block
 * comment that a later star-slash would close, hold URL syntax (`\`, `%`) or a `*` TypeScript cannot pattern.
 */
const WASM_PATHS = [
  'x\u2028globalThis.pwned = 1\u2028/*/game.wasm',
  'line\u2029globalThis.pwned = 2.wasm',
  'new\nline.wasm',
  'back\\slash.wasm',
  'star*name.wasm',
  `quote"and'apos.wasm`,
  'per%41cent <script>.wasm',
]
/** Paths whose last segment has a `*`: no precise declarations (TypeScript allows one `*` per pattern). */
const UNDECLARED = new Set(['star*name.wasm'])

/**
 * Paths a bundler cannot handle even for a plain .js file, without this plugin (checked with Vite 8 and
 * webpack 5.112): Vite's resolver reads `\` as a separator on every platform ("Could not load src/back/slash.js");
 * webpack writes `// EXTERNAL MODULE: <path>` comments with the path as is, so a line terminator in a path ends
 * its comment and the rest of the path becomes code (a SyntaxError here; code of the path's choosing in general).
 */
const BUNDLER_CANNOT: Record<string, (path: string) => boolean> = {
  vite: (path) => path.includes('\\'),
  webpack: (path) => /[\n\u2028\u2029]/.test(path),
}
/**
 * Export names a bundler may lose on its own: webpack 5 defines the exports of a namespace object it builds for a
 * concatenated module with `__webpack_require__.d(ns, { __proto__: () => … })`, an object literal in which
 * `__proto__:` sets the prototype, so an export named `__proto__` is missing from that `import * as ns` (seen in
 * its output; namespaces it builds otherwise keep it).
 */
const BUNDLER_LOSES_EXPORT: Record<string, string[]> = { webpack: ['__proto__'] }

/**
 * Import module names: one that is no identifier, no path and holds every comment/string terminator, and names
 * an object would find on Object.prototype.
 */
const HOSTILE_MODULES = ['mod\u2028"x*/\0', '__proto__', 'constructor', 'toString']
/** Export names that end comments or strings, hold a NUL, are special to a module namespace or to objects. */
const EXPORTS = [
  'a\u2028b',
  'x*/y',
  'nul\0name',
  '</script>',
  'default',
  '__proto__',
  'constructor',
  'toString',
]

function hostileWasm(): Uint8Array<ArrayBuffer> {
  const returns = (value: number) => [0x41, ...sleb(value)]
  return encodeModule({
    types: [
      { params: [I32], results: [I32] },
      { params: [], results: [I32] },
    ],
    imports: [
      { module: 'env', name: 'sleep', kind: 'function', type: 0 },
      ...HOSTILE_MODULES.map((module) => ({ module, name: 'seven', kind: 'function' as const, type: 1 })),
    ],
    functions: [
      // then: 42; ok: sleep(5) * 10 + the sum of every module's seven(); the rest: 7
      { type: 1, body: returns(42) },
      {
        type: 1,
        body: [0x41, 5, 0x10, 0, 0x41, 10, 0x6c, ...HOSTILE_MODULES.flatMap((_, i) => [0x10, i + 1, 0x6a])],
      },
      { type: 1, body: returns(7) },
    ],
    memories: [{ min: 1 }],
    exports: [
      { name: 'then', kind: 'function', index: HOSTILE_MODULES.length + 1 },
      { name: 'ok', kind: 'function', index: HOSTILE_MODULES.length + 2 },
      ...EXPORTS.map((name) => ({ name, kind: 'function' as const, index: HOSTILE_MODULES.length + 3 })),
      { name: 'memory', kind: 'memory', index: 0 },
    ],
  })
}

/** What the entry passes to `init()`: own keys, as JSON gives them, `__proto__` included; numbers become functions. */
const INIT_IMPORTS = `{${JSON.stringify(HOSTILE_MODULES[0])}: {"seven": 8}, "__proto__": {"seven": 9}}`

/** The entry: every path through `?asyncify` (static and dynamic) and `?asyncify&init`. */
function entrySource(paths: string[], lost: string[] = []): string {
  const spec = (path: string, query: string) => JSON.stringify(`./${path}?${query}`)
  const exportNames = EXPORTS.filter((name) => !lost.includes(name))
  // Names a bundler may or may not keep (see BUNDLER_LOSES_EXPORT) are left out of the comparison.
  const keys = (ns: string) =>
    `Object.keys(${ns}).filter((name) => !${JSON.stringify(lost)}.includes(name)).sort()`
  return [
    ...paths.flatMap((path, i) => [
      `import * as named${i} from ${spec(path, 'asyncify')}`,
      `import init${i} from ${spec(path, 'asyncify&init')}`,
    ]),
    'export async function test() {',
    '  const results = []',
    ...paths.flatMap((path, i) => [
      // Own keys, as a JSON config would give them: `__proto__` included.
      `  const game${i} = await init${i}(JSON.parse(${JSON.stringify(INIT_IMPORTS)}, (_, v) => typeof v === 'number' ? () => v : v))`,
      `  const dynamic${i} = await import(${spec(path, 'asyncify')})`,
      '  results.push({',
      `    names: ${keys(`named${i}`)},`,
      `    ok: await named${i}.ok(),`,
      `    others: await Promise.all(${JSON.stringify(exportNames)}.map((name) => named${i}[name]())),`,
      // Settling at all is the point (a `then` export would make the namespace a thenable).
      `    dynamic: ${keys(`dynamic${i}`)},`,
      `    initOk: await game${i}.exports.ok(),`,
      `    initThen: await game${i}.exports.then(),`,
      '  })',
    ]),
    "  return JSON.stringify({ pwned: globalThis.pwned ?? null, polluted: 'seven' in {}, results })",
    '}',
    '',
  ].join('\n')
}

function options(dts?: string): Options {
  // A computed key: the module name is data, never syntax.
  const importModules: Record<string, string> = Object.create(null)
  importModules.env = join(APP, 'src/env.js')
  for (const module of HOSTILE_MODULES) importModules[module] = join(APP, 'src/seven.js')
  return {
    asyncImports: ['env.sleep'],
    importModules,
    optimizeLevel: 1,
    asserts: false,
    cacheDir: CACHE_DIR,
    silent: true,
    ...(dts ? { dts } : {}),
  }
}

beforeAll(async () => {
  await rm(APP, { recursive: true, force: true })
  const wasm = hostileWasm()
  for (const path of WASM_PATHS) {
    const file = join(APP, 'src', path)
    await mkdir(join(file, '..'), { recursive: true })
    await writeFile(file, wasm)
  }
  await writeFile(
    join(APP, 'src/env.js'),
    'export const sleep = (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms))\n',
  )
  await writeFile(join(APP, 'src/seven.js'), 'export const seven = () => 7\n')
  await writeFile(join(APP, 'src/main.js'), entrySource(WASM_PATHS))
})

afterAll(() => rm(APP, { recursive: true, force: true }))

const chosen = ['vite', 'rollup', 'webpack'].map((name) => bundlers.find((b) => b.name === name) as Bundler)

describe.each(chosen)('$name builds hostile paths and names', (bundler) => {
  const outDir = join(TMP, `hostile-${bundler.name}`)
  const paths = WASM_PATHS.filter((path) => !BUNDLER_CANNOT[bundler.name]?.(path))
  const lost = BUNDLER_LOSES_EXPORT[bundler.name] ?? []
  const exportNames = EXPORTS.filter((name) => !lost.includes(name))
  let entry: string

  beforeAll(async () => {
    await rm(outDir, { recursive: true, force: true })
    const main = `src/main-${bundler.name}.js`
    await writeFile(join(APP, main), entrySource(paths, lost))
    entry = await bundler.build({ app: APP, entry: main, outDir, options: options() })
  })

  it('runs every export in Node; nothing a name carried ran; `then` only on the init instance', async () => {
    const { result } = await runBuilt(entry)
    const names = ['ok', ...exportNames].sort()
    expect(JSON.parse(result)).toEqual({
      pwned: null,
      polluted: false,
      results: paths.map(() => ({
        names,
        ok: 50 + 7 * HOSTILE_MODULES.length,
        others: exportNames.map(() => 7),
        dynamic: names,
        initOk: 50 + 8 + 9 + 7 * (HOSTILE_MODULES.length - 2),
        initThen: 42,
      })),
    })
  })

  it('emits asset names without the characters URLs and hosts read as syntax', async () => {
    const { readdir } = await import('node:fs/promises')
    const files = await readdir(outDir, { recursive: true })
    const wasmFiles = files.filter((file) => file.endsWith('.wasm'))
    expect(wasmFiles.length).toBeGreaterThan(0)
    for (const file of wasmFiles) expect(file.split('/').pop()).toMatch(/^[\p{L}\p{N}._-]+\.wasm$/u)
  })
})

describe('declarations for hostile paths', () => {
  it('type-check, declare every path but the one with a `*`, and say why it was left out', async () => {
    const outDir = join(TMP, 'hostile-dts')
    const warnings: string[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args) => {
      warnings.push(args.join(' '))
    })
    try {
      await chosen[1]!.build({
        app: APP,
        entry: 'src/main.js',
        outDir,
        options: { ...options(join(APP, 'hostile.d.ts')), silent: false },
      })
    } finally {
      warn.mockRestore()
    }
    expect(warnings.filter((line) => line.includes('no declarations'))).toHaveLength(1)
    expect(warnings.join('\n')).toMatch(/star\*name\.wasm: no declarations in .*hostile\.d\.ts: .*"\*"/)
    expect(warnings.join('\n')).toMatch(/the wasm export "then" is not a named export/)

    const dts = await readFile(join(APP, 'hostile.d.ts'), 'utf8')
    const declared = WASM_PATHS.filter((path) => !UNDECLARED.has(path))
    const usage = [
      ...declared.map((path, i) => `import * as named${i} from ${JSON.stringify(`./src/${path}?asyncify`)}`),
      ...declared.map((path, i) => `import init${i} from ${JSON.stringify(`./src/${path}?asyncify&init`)}`),
      ...declared.flatMap((_, i) => [
        `export const ok${i}: Promise<number> = named${i}.ok()`,
        `export const weird${i}: Promise<number> = named${i}['a\\u2028b']()`,
        `export const then${i}: Promise<number> = init${i}({ env: { sleep: (ms) => ms } }).then((g) => g.exports.then())`,
        `type HasThen${i} = 'then' extends keyof typeof named${i} ? true : false`,
        `export const noThen${i}: HasThen${i} = false`,
      ]),
    ].join('\n')
    await writeFile(join(APP, 'usage.ts'), usage)
    const program = ts.createProgram([join(APP, 'hostile.d.ts'), join(APP, 'usage.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
    })
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(messages).toEqual([])
    // Nothing but comments and module blocks at the top level.
    const statements = program.getSourceFile(join(APP, 'hostile.d.ts'))!.statements
    expect(statements.every((statement) => ts.isModuleDeclaration(statement))).toBe(true)
    const names = statements.map((statement) => (statement as ts.ModuleDeclaration).name.text)
    // One exact module pair per file, one pattern pair per file and import prefix but for the `*` file.
    expect(names.filter((name) => name.startsWith('unplugin-asyncify:'))).toHaveLength(WASM_PATHS.length * 2)
    expect(names.filter((name) => name.startsWith('.*/'))).toHaveLength(declared.length * 2)
    for (const name of names) expect(name.split('*').length).toBeLessThanOrEqual(2)
    expect(dts).not.toMatch(/[\u2028\u2029]/)
  })
})
