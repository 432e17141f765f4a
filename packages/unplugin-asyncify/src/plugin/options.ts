import { AsyncifyError, type AsyncifyOptions } from '@unplugin-asyncify/core'
import type { FilterPattern } from './filter.ts'

/** Everything `asyncify()` of `@unplugin-asyncify/core` accepts, plus what only the bundler plugin needs. */
export interface Options extends AsyncifyOptions {
  /**
   * Wasm import module name -> JS module providing that module's imports by default, e.g.
   * `{ env: './src/wasm-env.js' }`. Relative paths are resolved from the project root; package names are kept.
   * The named exports of `?asyncify` instantiate with these; `init(imports)` of `?asyncify&init` merges its
   * argument over them, per module. Import module names that are themselves specifiers (`./env.js`) are imported
   * relative to the wasm file without being listed here.
   * @default {}
   */
  importModules?: Record<string, string>
  /** Only handle these wasm files: globs relative to the root, or RegExps tested on the absolute path. @default every file */
  include?: FilterPattern
  /** Never handle these wasm files (same patterns as `include`). @default none */
  exclude?: FilterPattern
  /**
   * Put the bytes into the JS as base64 instead of emitting a `.wasm` file: `true` always, a number when the
   * file is smaller than that many bytes. Inlined bytes cost about a third more and cannot be streamed.
   * @default false
   */
  inline?: boolean | number
  /**
   * Write precise TypeScript declarations for every imported wasm file: `true` writes `src/asyncify-wasm.d.ts`
   * (`asyncify-wasm.d.ts` at the root when there is no `src` folder), a string names the file (relative to the
   * root). Commit it and keep it inside your tsconfig `include`.
   * @default false
   */
  dts?: boolean | string
  /** Print neither the build line per wasm file nor warnings. @default false */
  silent?: boolean
  /**
   * A wasm that imports `wasi_snapshot_preview1` (a C/C++/Rust/Zig program built for WASI) gets its WASI from
   * @unplugin-asyncify/wasi: stdin reads wait for input, `sleep` waits, `_start` resolves `{ exitCode }`. These
   * settings are the defaults of every such instance (`init(imports, { wasi })` overrides them per instance).
   * `false`: no WASI wiring (provide the imports yourself, with `importModules` or `init()`). An `importModules`
   * entry for `wasi_snapshot_preview1` also turns it off. See docs/wasi.md.
   * @default {} (console output, empty stdin, an empty in-memory file system)
   */
  wasi?: false | WasiPluginOptions
}

/** The WASI settings of the plugin config: what JSON can hold, plus a module for the rest. */
export interface WasiPluginOptions {
  /** The command line, program name first. @default [the wasm file name without `.wasm`] */
  args?: string[]
  /** Environment variables. */
  env?: Record<string, string>
  /** Text files of the in-memory file system, by absolute path: `{ '/data/input.txt': 'text' }`. */
  files?: Record<string, string>
  /**
   * A JS module (relative to the root, or a package) whose default export is more `WasiOptions` of
   * @unplugin-asyncify/wasi, merged over the fields above: `stdin`, `stdout`, `stderr`, binary files, anything
   * JSON cannot hold. The named exports of `?asyncify` use it; `init()` starts from it too.
   */
  optionsModule?: string
}

/** The plugin's own options, validated; `core` is passed on to `asyncify()`, which validates it. */
export interface PluginOptions {
  core: AsyncifyOptions
  importModules: Record<string, string>
  include: FilterPattern | undefined
  exclude: FilterPattern | undefined
  /** Inline files smaller than this many bytes: 0 never, Infinity always. */
  inlineLimit: number
  /** `true`: the default place, decided from the root (`defaultDtsPath`). */
  dts: string | boolean
  silent: boolean
  wasi: false | WasiPluginOptions
}

/** Split the user's options into core's and ours, checking ours; the only place our defaults live. */
export function resolvePluginOptions(options: Options = {}): PluginOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options', 'must be an object', options)
  }
  const {
    importModules = {},
    include,
    exclude,
    inline = false,
    dts = false,
    silent = false,
    wasi = {},
    ...core
  } = options
  if (importModules === null || typeof importModules !== 'object' || Array.isArray(importModules)) {
    throw invalid('importModules', 'must map wasm import module names to JS module paths', importModules)
  }
  for (const [name, value] of Object.entries(importModules)) {
    if (typeof value !== 'string' || value === '') {
      throw invalid(`importModules[${JSON.stringify(name)}]`, 'must be a module path or package name', value)
    }
  }
  if (typeof inline !== 'boolean' && !(typeof inline === 'number' && inline >= 0)) {
    throw invalid('inline', 'must be true, false or a size in bytes', inline)
  }
  if (typeof dts !== 'boolean' && !(typeof dts === 'string' && dts !== '')) {
    throw invalid('dts', 'must be true, false or a file path', dts)
  }
  if (typeof silent !== 'boolean') throw invalid('silent', 'must be true or false', silent)
  checkWasi(wasi)
  return {
    core,
    importModules,
    include,
    exclude,
    inlineLimit: inline === true ? Number.POSITIVE_INFINITY : inline === false ? 0 : inline,
    dts,
    silent,
    wasi,
  }
}

const WASI_KEYS = ['args', 'env', 'files', 'optionsModule']

function checkWasi(wasi: unknown): asserts wasi is false | WasiPluginOptions {
  if (wasi === false) return
  if (wasi === null || typeof wasi !== 'object' || Array.isArray(wasi)) {
    throw invalid('wasi', 'must be false or an object such as { args: ["prog"] }', wasi)
  }
  const { args, env, files, optionsModule } = wasi as WasiPluginOptions
  for (const key of Object.keys(wasi)) {
    if (!WASI_KEYS.includes(key))
      throw invalid(`wasi.${key}`, `is not an option (valid: ${WASI_KEYS.join(', ')})`, key)
  }
  if (args !== undefined && !(Array.isArray(args) && args.every((arg) => typeof arg === 'string'))) {
    throw invalid('wasi.args', 'must be an array of strings, program name first', args)
  }
  for (const [name, record] of [
    ['env', env],
    ['files', files],
  ] as const) {
    if (record === undefined) continue
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw invalid(`wasi.${name}`, 'must be an object of strings', record)
    }
    for (const [key, value] of Object.entries(record)) {
      if (typeof value !== 'string') {
        throw invalid(
          `wasi.${name}[${JSON.stringify(key)}]`,
          'must be a string (binary data goes into optionsModule)',
          value,
        )
      }
    }
  }
  if (optionsModule !== undefined && (typeof optionsModule !== 'string' || optionsModule === '')) {
    throw invalid('wasi.optionsModule', 'must be a module path or package name', optionsModule)
  }
}

function invalid(name: string, rule: string, value: unknown): AsyncifyError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return new AsyncifyError(
    'ASYNCIFY_INVALID_OPTION',
    `Failed to configure unplugin-asyncify: option "${name}" ${rule}, got ${shown}. Fix it in the plugin options.`,
  )
}
