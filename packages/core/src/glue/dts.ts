// Per-file TypeScript declarations for `import { main } from './game.wasm?asyncify'` and
// `import init from './game.wasm?asyncify&init'`, derived from the export and import signatures in the meta.
//
// TypeScript matches ambient wildcard modules on the specifier text and prefers the longest prefix before `*`,
// so `'.*/game.wasm?asyncify'` wins over the generic `'*.wasm?asyncify'` of `unplugin-asyncify/client` and still
// matches `./game.wasm?asyncify` and `../dir/game.wasm?asyncify`.

import type { ExportMeta, FuncSig, ImportMeta, ValType, WasmMeta } from '@unplugin-asyncify/runtime'
import { GENERATED_PREFIX, isBindableName, isNamespaceExport, isPropertyName } from './identifiers.ts'
import { jsString } from './literal.ts'

export interface DtsOptions {
  meta: WasmMeta
  /** Specifier pattern without the query (`.*` then `/game.wasm`); `?asyncify` and `?asyncify&init` are appended. */
  pattern: string
  /** Module the runtime types come from; it must resolve from the user's project. @default 'unplugin-asyncify/runtime' */
  typesFrom?: string
  /** Wasm import modules a JS module provides by default (`importModules`), so `init()` may leave them out. */
  providedModules?: readonly string[]
}

/** Both `declare module` blocks for one wasm file. */
export function genDts(options: DtsOptions): string {
  // TypeScript rejects the whole file otherwise (TS5061), and `*` cannot be escaped in a module pattern.
  if (options.pattern.split('*').length > 2) {
    throw new TypeError(`genDts: pattern ${JSON.stringify(options.pattern)} may contain at most one "*"`)
  }
  return [genNamedExportsModule(options), genInitModule(options)].join('\n\n') + '\n'
}

/** `declare module '<pattern>?asyncify'`: one promise-returning function per wasm function export (but `then`). */
function genNamedExportsModule({ meta, pattern }: DtsOptions): string {
  const lines = [`declare module ${jsString(`${pattern}?asyncify`)} {`]
  meta.exports.forEach((entry, i) => {
    if (entry.kind !== 'function' || !isNamespaceExport(entry.name)) return
    if (isBindableName(entry.name)) {
      lines.push(`  export function ${entry.name}(${genParams(entry.sig)}): Promise<${genResult(entry.sig)}>`)
    } else {
      const local = `${GENERATED_PREFIX}export_${i}`
      lines.push(
        `  const ${local}: ${genExportType(entry)}`,
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
}: DtsOptions): string {
  const byModule = new Map<string, ImportMeta[]>()
  for (const entry of meta.imports) byModule.set(entry.module, [...(byModule.get(entry.module) ?? []), entry])
  const optional = (module: string) => providedModules.includes(module)
  const importsRequired = [...byModule.keys()].some((module) => !optional(module))

  const lines = [
    `declare module ${jsString(`${pattern}?asyncify&init`)} {`,
    `  import type { AsyncifyInstance, InstantiateOptions } from ${jsString(typesFrom)}`,
    '  /** The instance exports: functions return promises, memories, tables and globals are passed through. */',
    '  export interface Exports {',
    ...meta.exports.map((entry) => `    ${genKey(entry.name)}: ${genExportType(entry)}`),
    '  }',
    '  /** What `init()` needs for each wasm import; a function may return a promise only where the build lets it pause. */',
    '  export interface Imports {',
  ]
  for (const [module, entries] of byModule) {
    lines.push(`    ${genKey(module)}${optional(module) ? '?' : ''}: {`)
    for (const entry of entries) {
      lines.push(`      ${genKey(entry.name)}${optional(module) ? '?' : ''}: ${genImportType(entry)}`)
    }
    lines.push('    }')
  }
  lines.push(
    '  }',
    "  export type Instance = Omit<AsyncifyInstance, 'exports'> & { exports: Exports }",
    '  export type Options = InstantiateOptions',
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

/** No result: `void`; one: its type; several (multi-value): a tuple, which is what JS receives. */
function genResult(sig: FuncSig | undefined): string {
  const results = sig?.results ?? []
  if (results.length === 0) return 'void'
  if (results.length === 1) return toTsType(results[0]!)
  return `[${results.map(toTsType).join(', ')}]`
}

function genExportType(entry: ExportMeta): string {
  switch (entry.kind) {
    case 'function':
      return `(${genParams(entry.sig)}) => Promise<${genResult(entry.sig)}>`
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
