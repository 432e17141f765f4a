// Per-file TypeScript declarations for `import { main } from './game.wasm?asyncify'` and
// `import init from './game.wasm?asyncify&init'`, derived from the export and import signatures in the meta.
//
// TypeScript matches ambient wildcard modules on the specifier text and prefers the longest prefix before `*`,
// so `'.*/game.wasm?asyncify'` wins over the generic `'*.wasm?asyncify'` of `unplugin-asyncify/client` and still
// matches `./game.wasm?asyncify` and `../dir/game.wasm?asyncify`.

import type { ExportMeta, FuncSig, ImportMeta, ValType, WasmMeta } from '@unplugin-asyncify/runtime'
import { GENERATED_PREFIX, isBindableName, isNamespaceExport, isPropertyName } from './identifiers.ts'
import { jsString } from './literal.ts'

const WASI_MODULE = 'wasi_snapshot_preview1'

export interface DtsOptions {
  meta: WasmMeta
  /** Specifier pattern without the query (`.*` then `/game.wasm`); `?asyncify` and `?asyncify&init` are appended. */
  pattern: string
  /** Module the runtime types come from; it must resolve from the user's project. @default 'unplugin-asyncify/runtime' */
  typesFrom?: string
  /** Wasm import modules a JS module provides by default (`importModules`), so `init()` may leave them out. */
  providedModules?: readonly string[]
  /**
   * The glue wires @unplugin-asyncify/wasi in (see `GlueOptions.wasi`): `_start` resolves `{ exitCode }`,
   * `init()` takes `options.wasi`, and the WASI types come from `wasiTypesFrom`.
   */
  wasi?: boolean
  /** Module the WASI types come from. @default 'unplugin-asyncify/wasi' */
  wasiTypesFrom?: string
}

/** The members TypeScript's `Object` interface gives every object type. */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set([
  'constructor',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
])

/** What a WASI command's `_start` resolves with (the `WasiExitStatus` of @unplugin-asyncify/wasi). */
const EXIT_STATUS = '{ exitCode: number }'

/** Both `declare module` blocks for one wasm file. */
export function genDts(options: DtsOptions): string {
  // TypeScript rejects the whole file otherwise (TS5061), and `*` cannot be escaped in a module pattern.
  if (options.pattern.split('*').length > 2) {
    throw new TypeError(`genDts: pattern ${JSON.stringify(options.pattern)} may contain at most one "*"`)
  }
  return [genNamedExportsModule(options), genInitModule(options)].join('\n\n') + '\n'
}

/** `declare module '<pattern>?asyncify'`: one promise-returning function per wasm function export (but `then`). */
function genNamedExportsModule({ meta, pattern, wasi = false }: DtsOptions): string {
  const lines = [`declare module ${jsString(`${pattern}?asyncify`)} {`]
  meta.exports.forEach((entry, i) => {
    if (entry.kind !== 'function' || !isNamespaceExport(entry.name)) return
    if (isBindableName(entry.name)) {
      lines.push(
        `  export function ${entry.name}(${genParams(entry.sig)}): Promise<${genResult(entry.sig, entry.name, wasi)}>`,
      )
    } else {
      const local = `${GENERATED_PREFIX}export_${i}`
      lines.push(
        `  const ${local}: ${genExportType(entry, wasi)}`,
        `  export { ${local} as ${jsString(entry.name)} }`,
      )
    }
  })
  lines.push('}')
  return lines.join('\n')
}

/** `declare module '<pattern>?asyncify&init'`: the typed `init(imports, options)` factory and its shapes. */
function genInitModule({
  meta,
  pattern,
  typesFrom = 'unplugin-asyncify/runtime',
  providedModules = [],
  wasi = false,
  wasiTypesFrom = 'unplugin-asyncify/wasi',
}: DtsOptions): string {
  const byModule = new Map<string, ImportMeta[]>()
  for (const entry of meta.imports) byModule.set(entry.module, [...(byModule.get(entry.module) ?? []), entry])
  const optional = (module: string) => providedModules.includes(module) || (wasi && module === WASI_MODULE)
  const importsRequired = [...byModule.keys()].some((module) => !optional(module))

  const lines = [
    `declare module ${jsString(`${pattern}?asyncify&init`)} {`,
    `  import type { AsyncifyInstance, InstantiateOptions } from ${jsString(typesFrom)}`,
    ...(wasi ? [`  import type { WasiOptions } from ${jsString(wasiTypesFrom)}`] : []),
    '  /** The instance exports: functions return promises, memories, tables and globals are passed through. */',
    '  export interface Exports {',
    ...meta.exports.map((entry) => `    ${genKey(entry.name)}: ${genExportType(entry, wasi)}`),
    '  }',
    '  /** What `init()` needs for each wasm import; a function may return a promise only where the build lets it pause. */',
    '  export interface Imports {',
  ]
  for (const [module, entries] of byModule) {
    lines.push(`    ${genKey(module)}${optional(module) ? '?' : ''}: {`)
    for (const entry of entries) {
      lines.push(`      ${genKey(entry.name)}${optional(module) ? '?' : ''}: ${genImportType(entry)}`)
    }
    // Every object literal has what Object declares (`constructor: Function`, …): an optional module of that
    // name must accept it, or `init({ env })` would not type-check.
    lines.push(
      `    }${optional(module) && OBJECT_MEMBERS.has(module) ? ` | Object[${jsString(module)}]` : ''}`,
    )
  }
  lines.push(
    '  }',
    wasi
      ? "  export type Instance = Omit<AsyncifyInstance, 'exports'> & { exports: Exports; readonly exitCode: number | undefined }"
      : "  export type Instance = Omit<AsyncifyInstance, 'exports'> & { exports: Exports }",
    wasi
      ? '  export type Options = InstantiateOptions & { wasi?: WasiOptions }'
      : '  export type Options = InstantiateOptions',
    '  /** Instantiate a new, independent copy of the module. */',
    `  export default function init(imports${importsRequired ? '' : '?'}: Imports, options?: Options): Promise<Instance>`,
    '}',
  )
  return lines.join('\n')
}

function genKey(name: string): string {
  return isPropertyName(name) ? name : jsString(name)
}

function genParams(sig: FuncSig | undefined): string {
  return (sig?.params ?? []).map((type, i) => `arg${i}: ${toTsType(type)}`).join(', ')
}

/**
 * No result: `void`; one: its type; several (multi-value): a tuple, which is what JS receives. A WASI
 * command's `_start` (export `name`, with `wasi`) resolves with the exit status.
 */
function genResult(sig: FuncSig | undefined, name?: string, wasi = false): string {
  if (wasi && name === '_start') return EXIT_STATUS
  const results = sig?.results ?? []
  if (results.length === 0) return 'void'
  if (results.length === 1) return toTsType(results[0]!)
  return `[${results.map(toTsType).join(', ')}]`
}

function genExportType(entry: ExportMeta, wasi = false): string {
  switch (entry.kind) {
    case 'function':
      return `(${genParams(entry.sig)}) => Promise<${genResult(entry.sig, entry.name, wasi)}>`
    case 'memory':
      return 'WebAssembly.Memory'
    case 'table':
      return 'WebAssembly.Table'
    case 'global':
      return 'WebAssembly.Global'
    default:
      return 'unknown'
  }
}

function genImportType(entry: ImportMeta): string {
  switch (entry.kind) {
    case 'function': {
      const result = genResult(entry.sig)
      return `(${genParams(entry.sig)}) => ${entry.suspending ? `${result} | Promise<${result}>` : result}`
    }
    case 'memory':
      return 'WebAssembly.Memory'
    case 'table':
      return 'WebAssembly.Table'
    case 'global':
      return 'WebAssembly.Global | number | bigint'
    default:
      return 'unknown'
  }
}

/** The JS value a wasm value type becomes at the boundary (i64 is a BigInt under the JS BigInt integration). */
function toTsType(type: ValType): string {
  switch (type) {
    case 'i32':
    case 'f32':
    case 'f64':
      return 'number'
    case 'i64':
      return 'bigint'
    case 'funcref':
      return 'Function | null'
    // Cannot cross the JS boundary: calling such a function throws a TypeError.
    case 'v128':
      return 'never'
    default:
      return 'unknown'
  }
}
