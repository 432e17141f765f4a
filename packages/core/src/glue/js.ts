/**
 * The JS module a bundler serves for `import … from './game.wasm?asyncify'`. It stays thin: it imports the
 * runtime, says where the bytes are, makes one `instantiate` call and lists the exports. Every unwind/rewind
 * detail lives in `@unplugin-asyncify/runtime`.
 */

import type { WasmMeta } from '@unplugin-asyncify/runtime'
import type { RecorderOptions } from '@unplugin-asyncify/runtime/profile'
import { GENERATED_PREFIX, isBindableName, isNamespaceExport, isPropertyName } from './identifiers.ts'
import { jsString, jsValue } from './literal.ts'

/** Where the glue gets the bytes of one variant (the asyncified bytes, or the plain bytes for JSPI). */
export type GlueSource =
  /** A file the bundler turns into an asset from `new URL("<path>", import.meta.url)` (webpack, Rspack). */
  | { kind: 'asset-path'; path: string }
  /** An asset emitted with `this.emitFile`, referenced as `import.meta.ROLLUP_FILE_URL_<referenceId>`. */
  | { kind: 'rollup-ref'; referenceId: string }
  /**
   * A module whose default export is the URL (Vite's `?url`, esbuild's `file` loader). `fileUrl`, when given, is
   * the same file as a `file:` URL, used instead when the glue itself runs from a `file:` URL: Vitest's jsdom and
   * happy-dom environments run Vite's browser transform in Node, where the served path means nothing.
   */
  | { kind: 'url-import'; specifier: string; fileUrl?: string }
  /** An absolute URL, used as is (a `file:` URL in Vite's SSR dev server). */
  | { kind: 'url'; url: string }
  /**
   * A path on the dev server that serves the page (`/@unplugin-asyncify/...`), resolved against the page's (or
   * worker's) location: Vite dev builds the Asyncify binary only when a browser without JSPI asks for it.
   */
  | { kind: 'dev-path'; path: string }
  /** The bytes themselves, base64-encoded into the glue. */
  | { kind: 'inline'; base64: string }

export interface GlueOptions {
  meta: WasmMeta
  /**
   * `exports`: one named export per wasm function export, instantiated on the first call (no top-level await).
   * `init`: a default export that creates a new, independent instance per call.
   */
  variant: 'exports' | 'init'
  /** Specifier of the runtime module: an absolute path or an id the bundler resolves from anywhere. */
  runtime: string
  /** The bytes per mode. A missing mode is never offered to the runtime. */
  sources: { asyncify?: GlueSource; jspi?: GlueSource }
  /** Wasm import module name -> JS module whose namespace provides that module's imports by default. */
  importModules?: Record<string, string>
  /** Shown in the header comment, e.g. the wasm path relative to the project root. */
  name?: string
  /**
   * Provide the `wasi_snapshot_preview1` imports with @unplugin-asyncify/wasi: the glue instantiates through its
   * `instantiateWasi`, so stdin waits, sleep waits and `_start` resolves `{ exitCode }`.
   */
  wasi?: GlueWasi
  /** Record mode (`profile: 'record'`, development): every instance reports its pauses to the recorder. */
  recorder?: GlueRecorder
}

export interface GlueRecorder {
  /** Specifier of `@unplugin-asyncify/runtime/profile`: an absolute path or an id the bundler resolves. */
  module: string
  /** The profile file and the module it describes (core's `recorder` result). */
  options: RecorderOptions
  /** Hand samples to the Vite dev server through `import.meta.hot` where the page has no file system. */
  hot: boolean
}

export interface GlueWasi {
  /** Specifier of @unplugin-asyncify/wasi: an absolute path or an id the bundler resolves from anywhere. */
  module: string
  /** WASI options that JSON can hold (args, env, text files), from the plugin config. */
  options?: Record<string, unknown>
  /** Specifier of a JS module whose default export is more WASI options (functions, streams), merged over `options`. */
  optionsModule?: string
}

/** Referenced from `import.meta`, so it must be a plain identifier tail. */
const REFERENCE_ID_RE = /^[\w$]+$/

/** Generate the glue module for one wasm file and one variant. */
export function genGlue(options: GlueOptions): string {
  const { meta, variant } = options
  if (!options.sources.asyncify && !options.sources.jspi) {
    throw new TypeError('genGlue: sources needs an asyncify or a jspi entry')
  }
  const importModules = Object.entries(options.importModules ?? {})
  const { wasi } = options
  // Aliased, so that no wasm export name can clash with them. With WASI, `instantiate` is the WASI one.
  const runtimeNames = [
    ...(wasi ? [] : [`instantiate as ${GENERATED_PREFIX}instantiate`]),
    ...(variant === 'exports' ? [`lazyExports as ${GENERATED_PREFIX}lazyExports`] : []),
  ]
  const lines = [
    `// unplugin-asyncify${options.name ? `: ${jsString(options.name)}` : ''}`,
    ...(runtimeNames.length > 0
      ? [`import { ${runtimeNames.join(', ')} } from ${jsString(options.runtime)}`]
      : []),
    ...(wasi ? genWasiSetup(wasi) : []),
    ...(options.recorder ? genRecorder(options.recorder, variant) : []),
    ...(variant === 'exports'
      ? genNamedImports(meta, importModules)
      : importModules.map(
          ([, specifier], i) => `import * as ${GENERATED_PREFIX}module_${i} from ${jsString(specifier)}`,
        )),
    ...genSources(options.sources),
    `const ${GENERATED_PREFIX}meta = ${jsValue(meta)}`,
    `const ${GENERATED_PREFIX}defaults = ${variant === 'exports' ? genNamedDefaults(meta, importModules) : genDefaults(importModules)}`,
    ...(variant === 'exports'
      ? genLazyExports(meta, !!wasi, !!options.recorder)
      : genInit(importModules.length > 0, !!wasi, !!options.recorder)),
  ]
  return `${lines.join('\n')}\n`
}

/** `const __asyncify_sources = { asyncify: () => …, jspi: () => … }`, plus the imports some sources need. */
function genSources(sources: GlueOptions['sources']): string[] {
  const imports: string[] = []
  const entries: string[] = []
  for (const mode of ['asyncify', 'jspi'] as const) {
    const source = sources[mode]
    if (!source) continue
    const local = `${GENERATED_PREFIX}url_${mode}`
    if (source.kind === 'url-import') imports.push(`import ${local} from ${jsString(source.specifier)}`)
    // Functions: the runtime calls only the one for the mode it uses, so the other file is never fetched.
    entries.push(`  ${mode}: () => ${genSourceExpression(source, local)},`)
  }
  return [...imports, `const ${GENERATED_PREFIX}sources = {`, ...entries, '}']
}

/** A JS expression for the bytes (or their URL) that the runtime accepts as a `WasmSource`. */
function genSourceExpression(source: GlueSource, local: string): string {
  switch (source.kind) {
    case 'asset-path':
      // Exactly this shape: webpack and Rspack only detect `new URL(<string literal>, import.meta.url)`.
      return `new URL(${jsString(source.path)}, import.meta.url)`
    case 'rollup-ref':
      if (!REFERENCE_ID_RE.test(source.referenceId)) {
        throw new TypeError(`genGlue: invalid reference id ${JSON.stringify(source.referenceId)}`)
      }
      // The bundler renders a URL string, relative or root-relative, so it is resolved against this module.
      return `new URL(import.meta.ROLLUP_FILE_URL_${source.referenceId}, import.meta.url)`
    case 'url-import':
      return source.fileUrl
        ? `import.meta.url.startsWith("file:") ? new URL(${jsString(source.fileUrl)}) : new URL(${local}, import.meta.url)`
        : `new URL(${local}, import.meta.url)`
    case 'url':
      return `new URL(${jsString(source.url)})`
    case 'dev-path':
      return `new URL(${jsString(source.path)}, location.href)`
    case 'inline':
      return `Uint8Array.from(atob(${jsString(source.base64)}), (c) => c.charCodeAt(0))`
  }
}

/**
 * The import object the JS modules named in `importModules` provide: `{ __proto__: null, ["env"]: … }`. Wasm
 * module names are untrusted: without a prototype, `constructor` or `toString` find nothing inherited, and
 * the computed key makes `"__proto__"` an own property (a plain `"__proto__": x` would set the prototype).
 */
function genDefaults(importModules: [string, string][]): string {
  const entries = importModules.map(([name], i) => `[${jsString(name)}]: ${GENERATED_PREFIX}module_${i}`)
  return `{ ${['__proto__: null', ...entries].join(', ')} }`
}

/**
 * `?asyncify` takes every import from `importModules`, so each one is imported by name: a module that lacks one
 * fails the build in the bundler (`"get_i64" is not exported by "src/wasm-env.ts"`) instead of the first call.
 */
function genNamedImports(meta: WasmMeta, importModules: [string, string][]): string[] {
  return importModules.map(([module, specifier], m) => {
    const names = importedNames(meta, module).map((name, i) => {
      const imported = isPropertyName(name) ? name : jsString(name)
      return `${imported} as ${GENERATED_PREFIX}import_${m}_${i}`
    })
    return `import { ${names.join(', ')} } from ${jsString(specifier)}`
  })
}

/**
 * `() => ({ __proto__: null, ["env"]: { __proto__: null, ["sleep"]: __asyncify_import_0_0 } })`: read at
 * instantiation, so an import cycle is fine. Prototype-less with computed keys, like `genDefaults`.
 */
function genNamedDefaults(meta: WasmMeta, importModules: [string, string][]): string {
  const modules = importModules.map(([module], m) => {
    const fields = importedNames(meta, module).map(
      (name, i) => `[${jsString(name)}]: ${GENERATED_PREFIX}import_${m}_${i}`,
    )
    return `[${jsString(module)}]: { ${['__proto__: null', ...fields].join(', ')} }`
  })
  return `() => ({ ${['__proto__: null', ...modules].join(', ')} })`
}

function importedNames(meta: WasmMeta, module: string): string[] {
  return [...new Set(meta.imports.filter((entry) => entry.module === module).map((entry) => entry.name))]
}

/**
 * WASI: `instantiateWasi` aliased as the glue's `instantiate`, and `__asyncify_wasi`, the options of the plugin
 * config (JSON) with the default export of the options module over them.
 */
function genWasiSetup(wasi: GlueWasi): string[] {
  const p = GENERATED_PREFIX
  const options = jsValue(wasi.options ?? {})
  const lines = [`import { instantiateWasi as ${p}instantiate } from ${jsString(wasi.module)}`]
  if (wasi.optionsModule === undefined) return [...lines, `const ${p}wasi = ${options}`]
  return [
    ...lines,
    `import ${p}wasi_module from ${jsString(wasi.optionsModule)}`,
    `const ${p}wasi = { ...${options}, ...${p}wasi_module }`,
  ]
}

/**
/**
 * Record mode: `__asyncify_record`, the recorder for this module, and for `init` `__asyncify_onPause(options)`,
 * which runs it before the caller's own `onPause`.
 */
function genRecorder(recorder: GlueRecorder, variant: GlueOptions['variant']): string[] {
  const p = GENERATED_PREFIX
  const hot = recorder.hot ? ', import.meta.hot' : ''
  const lines = [
    `import { createRecorder as ${p}createRecorder } from ${jsString(recorder.module)}`,
    `const ${p}record = ${p}createRecorder(${jsValue(recorder.options)}${hot})`,
  ]
  if (variant === 'exports') return lines
  return [
    ...lines,
    `function ${p}onPause(options) {`,
    '  const own = options?.onPause',
    `  return own ? (pause) => { ${p}record(pause); own(pause) } : ${p}record`,
    '}',
  ]
}

/**
 * `?asyncify`: every function export, instantiated with the default imports on its first call. An export named
 * `then` is left out (it stays on `instance.exports` of the `&init` form): it would make the module namespace
 * a thenable, and `await import()` of it would call the wasm function instead of settling.
 */
function genLazyExports(meta: WasmMeta, wasi: boolean, record: boolean): string[] {
  const p = GENERATED_PREFIX
  const fields = [...(wasi ? [`wasi: ${p}wasi`] : []), ...(record ? [`onPause: ${p}record`] : [])]
  const options = fields.length > 0 ? `, { ${fields.join(', ')} }` : ''
  const lines = [
    `const ${p}exports = ${p}lazyExports(${p}meta, () => ${p}instantiate(${p}sources, ${p}meta, ${p}defaults()${options}))`,
  ]
  meta.exports.forEach((entry, i) => {
    if (entry.kind !== 'function' || !isNamespaceExport(entry.name)) return
    const value = `${p}exports[${jsString(entry.name)}]`
    if (isBindableName(entry.name)) {
      lines.push(`export const ${entry.name} = ${value}`)
    } else {
      lines.push(`const ${p}export_${i} = ${value}`, `export { ${p}export_${i} as ${jsString(entry.name)} }`)
    }
  })
  return lines
}

/**
 * `?asyncify&init`: a default export that instantiates a new copy per call, `imports` merged over the defaults
 * (with WASI, `options.wasi` over the configured WASI options, key by key). Each file is fetched and compiled once:
 * later calls instantiate the `WebAssembly.Module` the first one compiled.
 */
function genInit(hasDefaults: boolean, wasi: boolean, record: boolean): string[] {
  const p = GENERATED_PREFIX
  const imports = hasDefaults ? `${p}merge(${p}defaults, imports)` : 'imports'
  const fields = [
    ...(wasi ? [`wasi: { ...${p}wasi, ...options?.wasi }`] : []),
    ...(record ? [`onPause: ${p}onPause(options)`] : []),
  ]
  const options = fields.length > 0 ? `{ ...options, ${fields.join(', ')} }` : 'options'
  const lines = [
    '/** Compiled modules by source (asyncify, jspi), from the first init() that loaded each. */',
    `const ${p}compiled = {}`,
    '/** A new, independent instance per call. */',
    'export default function init(imports, options) {',
    '  let loaded',
    '  const sources = {}',
    `  for (const mode of Object.keys(${p}sources)) {`,
    `    sources[mode] = () => ${p}compiled[mode] ?? ((loaded = mode), ${p}sources[mode]())`,
    '  }',
    `  const instance = ${p}instantiate(sources, ${p}meta, ${imports}, ${options})`,
    '  instance.then(',
    `    (created) => { if (loaded) ${p}compiled[loaded] ??= created.module },`,
    '    () => {},',
    '  )',
    '  return instance',
    '}',
  ]
  if (hasDefaults) {
    lines.push(
      '/** Per wasm import module: the functions passed to init() win over the defaults. Own keys only, no prototypes. */',
      `function ${p}merge(defaults, imports) {`,
      '  const merged = { __proto__: null, ...defaults }',
      '  for (const name of Object.keys(imports ?? {})) {',
      '    const base = Object.hasOwn(defaults, name) ? defaults[name] : undefined',
      '    merged[name] = { __proto__: null, ...base, ...imports[name] }',
      '  }',
      '  return merged',
      '}',
    )
  }
  return lines
}
