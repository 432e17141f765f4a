/**
 * Generated code with hostile file names and wasm names: nothing in a name may run, end a comment, change a
 * prototype or make the module namespace a thenable. The glue runs for real in a child Node process against a
 * stub runtime that records what it was given; the declarations go through the TypeScript compiler.
 */

import { execFile } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import type { WasmMeta } from '../src/index.ts'
import { genDts, genGlue, jsString } from '../src/index.ts'

const TMP = join(import.meta.dirname, '.tmp/hostile-glue')

/** Each name tries another way out of a string or comment; if any escapes, `globalThis.pwned` is set. */
const INJECTIONS = [
  '\u2028globalThis.pwned = 1//',
  '\u2029globalThis.pwned = 2//',
  '*/ globalThis.pwned = 3 /*',
  '"; globalThis.pwned = 4; "',
  '\n globalThis.pwned = 5 //',
  '\\u2028 globalThis.pwned = 6',
  '</script><script>globalThis.pwned = 7</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the point is a placeholder in a plain string
  '${globalThis.pwned = 8}',
]

/** Names a plain object would resolve on Object.prototype. */
const PROTO_MODULES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty']

const fn = (params: string[] = [], results: string[] = ['i32']) =>
  ({ params, results }) as { params: []; results: [] }

const hostileMeta: WasmMeta = {
  version: 2,
  imports: [
    ...PROTO_MODULES.map((module) => ({
      module,
      name: 'valueOf',
      kind: 'function' as const,
      sig: fn(),
      suspending: false,
    })),
    ...INJECTIONS.map((module, i) => ({
      module,
      name: INJECTIONS[(i + 1) % INJECTIONS.length]!,
      kind: 'function' as const,
      sig: fn(),
      suspending: true,
    })),
  ],
  exports: [
    { name: 'then', kind: 'function', sig: fn(), suspending: true },
    { name: 'ok', kind: 'function', sig: fn(), suspending: true },
    { name: 'nul\0name', kind: 'function', sig: fn(), suspending: false },
    ...INJECTIONS.map((name) => ({ name, kind: 'function' as const, sig: fn(), suspending: true })),
    ...PROTO_MODULES.map((name) => ({ name, kind: 'function' as const, sig: fn(), suspending: false })),
  ],
  memory: { origin: 'internal', exportName: '__asyncify_memory', is64: false, shared: false, initial: 1 },
  buffer: { stackSize: 1024, top: {} },
  maxPausedCalls: 16,
  inWasmRuntime: false,
  jspi: 'off',
  file: INJECTIONS.join(''),
}

/** What the glue imports instead of the runtime: it records its arguments and answers every call. */
const STUB_RUNTIME = `
globalThis.calls = []
export function instantiate(sources, meta, imports, options) {
  globalThis.calls.push({ meta, imports, options })
  return Promise.resolve({ exports: {} })
}
export function lazyExports(meta, create) {
  const out = {}
  for (const entry of meta.exports) out[entry.name] = () => create().then(() => entry.name)
  return out
}
`

afterAll(() => rm(TMP, { recursive: true, force: true }))

/** Write the glue, the stub runtime and one JS module per import module, then run `script` after importing it. */
async function runGlue(variant: 'exports' | 'init', script: string): Promise<unknown> {
  const dir = join(TMP, variant)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'runtime.mjs'), STUB_RUNTIME)
  const importModules: Record<string, string> = Object.create(null)
  const modules = [...new Set(hostileMeta.imports.map((entry) => entry.module))]
  for (const [i, module] of modules.entries()) {
    // The module exports what the wasm imports from it (`?asyncify` imports those by name) and a tag.
    const names = hostileMeta.imports.filter((entry) => entry.module === module).map((entry) => entry.name)
    const exported = names.map((name) => `export { value as ${JSON.stringify(name)} }`).join('\n')
    await writeFile(
      join(dir, `ns${i}.mjs`),
      `const value = () => ${i}\n${exported}\nexport const tag = ${i}\n`,
    )
    importModules[module] = `./ns${i}.mjs`
  }
  const glue = genGlue({
    meta: hostileMeta,
    variant,
    runtime: './runtime.mjs',
    sources: { asyncify: { kind: 'asset-path', path: INJECTIONS.join('') } },
    importModules,
    name: INJECTIONS.join(''),
  })
  await writeFile(join(dir, 'glue.mjs'), glue)
  await writeFile(
    join(dir, 'main.mjs'),
    [
      `const glue = await import(${JSON.stringify(pathToFileURL(join(dir, 'glue.mjs')).href)})`,
      `const modules = ${JSON.stringify(modules)}`,
      `const imported = ${JSON.stringify(modules.map((module) => hostileMeta.imports.find((entry) => entry.module === module)!.name))}`,
      `const result = await (async () => {${script}})()`,
      "process.stdout.write(JSON.stringify({ pwned: globalThis.pwned ?? null, polluted: 'tag' in {} || typeof ({}).valueOf !== 'function', result }))",
    ].join('\n'),
  )
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'main.mjs')], { timeout: 20_000 })
  return JSON.parse(stdout)
}

describe('glue with hostile names', () => {
  it('jsString escapes what JSON.stringify leaves and stays valid JSON', () => {
    for (const value of [...INJECTIONS, '\ud800 lone', 'a*/b', '<!-- x -->']) {
      const literal = jsString(value)
      expect(literal).not.toMatch(/[\u2028\u2029<>\n\r]|\*\//)
      expect(JSON.parse(literal)).toBe(value)
      // The same literal inside a line comment and a block comment leaves the code after it alone.
      expect(new Function(`// ${literal}\n/* ${literal} */ return ${literal}`)()).toBe(value)
    }
  })

  it('?asyncify: imports settle, nothing runs, no prototype changes, `then` is not exported', async () => {
    const outcome = await runGlue(
      'exports',
      `
      const again = await import(${JSON.stringify('./glue.mjs')})
      return {
        names: Object.keys(glue).sort(),
        sameModule: again === glue,
        ok: await glue.ok(),
        defaults: (() => {
          const imports = globalThis.calls[0].imports
          return {
            prototype: Object.getPrototypeOf(imports),
            own: Object.getOwnPropertyNames(imports).sort(),
            // each module's own function, and nothing inherited
            values: modules.map((module, i) => Object.hasOwn(imports, module) && imports[module][imported[i]]()),
            inner: modules.map((module) => Object.getPrototypeOf(imports[module])),
          }
        })(),
      }`,
    )
    const names = hostileMeta.exports.map((entry) => entry.name).filter((name) => name !== 'then')
    expect(outcome).toEqual({
      pwned: null,
      polluted: false,
      result: {
        names: names.sort(),
        sameModule: true,
        ok: 'ok',
        defaults: {
          prototype: null,
          own: [...new Set(hostileMeta.imports.map((entry) => entry.module))].sort(),
          values: [...new Set(hostileMeta.imports.map((entry) => entry.module))].map((_, i) => i),
          inner: [...new Set(hostileMeta.imports.map((entry) => entry.module))].map(() => null),
        },
      },
    })
  })

  it('?asyncify&init: init(imports) merges own keys per module, __proto__ included, without prototypes', async () => {
    const outcome = await runGlue(
      'init',
      `
      const given = JSON.parse('{"__proto__": {"valueOf": "given"}, "constructor": {"extra": 1}}')
      await glue.default(given)
      const imports = globalThis.calls[0].imports
      const view = (value) => ({ prototype: Object.getPrototypeOf(value), keys: Object.keys(value).sort() })
      return {
        top: view(imports),
        proto: { ...view(imports['__proto__']), valueOf: imports['__proto__'].valueOf, tag: imports['__proto__'].tag },
        ctor: { ...view(imports.constructor), extra: imports.constructor.extra },
        toString: Object.hasOwn(imports, 'toString'),
      }`,
    )
    expect(outcome).toEqual({
      pwned: null,
      polluted: false,
      result: {
        top: {
          prototype: null,
          keys: [...new Set(hostileMeta.imports.map((entry) => entry.module))].sort(),
        },
        proto: { prototype: null, keys: ['tag', 'valueOf'], valueOf: 'given', tag: 0 },
        ctor: { prototype: null, keys: ['extra', 'tag', 'valueOf'], extra: 1 },
        toString: true,
      },
    })
  })

  it('declarations type-check, declare exactly the hostile patterns and leave `then` out of the named exports', () => {
    const modules = [...new Set(hostileMeta.imports.map((entry) => entry.module))]
    // TypeScript allows one `*` per pattern (genDts refuses more; the plugin's dts file skips such files).
    const pattern = `.*/${INJECTIONS.join('').replaceAll('*', '')}`
    const dts = genDts({ meta: hostileMeta, pattern, typesFrom: 'hostile-runtime', providedModules: modules })
    const usage = [
      `import * as named from ${jsString(`./x${pattern.slice(2)}?asyncify`)}`,
      `import init from ${jsString(`./x${pattern.slice(2)}?asyncify&init`)}`,
      'export const ok: Promise<number> = named.ok()',
      "type HasThen = 'then' extends keyof typeof named ? true : false",
      'export const noThen: HasThen = false',
      'export const viaInit: Promise<number> = init().then((game) => game.exports.then())',
    ].join('\n')
    const files: Record<string, string> = {
      '/p/wasm.d.ts': dts,
      '/p/usage.ts': usage,
      '/p/runtime.d.ts':
        'export interface AsyncifyInstance { exports: unknown }\nexport interface InstantiateOptions {}\n',
    }
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      lib: ['lib.es2022.d.ts'],
      paths: { 'hostile-runtime': ['/p/runtime.d.ts'] },
    }
    const host = ts.createCompilerHost(options)
    const read = host.readFile.bind(host)
    host.readFile = (name) => files[name] ?? read(name)
    host.fileExists = (name) => name in files || ts.sys.fileExists(name)
    const getSourceFile = host.getSourceFile.bind(host)
    host.getSourceFile = (name, version) =>
      name in files ? ts.createSourceFile(name, files[name]!, version) : getSourceFile(name, version)
    const program = ts.createProgram(['/p/wasm.d.ts', '/p/usage.ts'], options, host)
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(messages).toEqual([])
    // Nothing but the two module blocks at the top level: no name escaped its string or comment.
    const statements = program.getSourceFile('/p/wasm.d.ts')!.statements
    const declared = statements.map((statement) => ts.isModuleDeclaration(statement) && statement.name.text)
    expect(declared.sort()).toEqual([`${pattern}?asyncify`, `${pattern}?asyncify&init`])
  })

  it('genDts refuses a pattern TypeScript cannot read (more than one `*`)', () => {
    expect(() => genDts({ meta: hostileMeta, pattern: '.*/a*b.wasm' })).toThrow(/at most one "\*"/)
  })
})
