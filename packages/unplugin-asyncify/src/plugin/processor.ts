import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  type AsyncifyResult,
  asyncify,
  cachedAsyncify,
  formatBytes,
  formatReport,
  type GlueSource,
  type GlueWasi,
  genGlue,
  prepareJspi,
  profilePath as profileFile,
  type WasmMeta,
} from '@unplugin-asyncify/core'
import { toBase64, type WasmAsset, wasmAssets } from './assets.ts'
import { DtsFile, defaultDtsPath } from './dts-file.ts'
import { createFileFilter } from './filter.ts'
import { resolveImportModules, unprovidedModules } from './import-modules.ts'
import type { PluginOptions } from './options.ts'
import { profilePath, runtimePath, slash, wasiPath } from './paths.ts'
import { ProfileSink } from './profile-sink.ts'

const WASI_MODULE = 'wasi_snapshot_preview1'

export const PLUGIN_NAME = 'unplugin-asyncify'

export interface Logger {
  info(message: string): void
  warn(message: string): void
}

/** Console output with our prefix, for hosts that do not label plugin output themselves (all but Vite). */
export const consoleLogger: Logger = {
  info: (message) => console.log(`[${PLUGIN_NAME}] ${message}`),
  warn: (message) => console.warn(`[${PLUGIN_NAME}] warning: ${message}`),
}

export interface ProcessedWasm {
  /** Absolute path of the input. */
  file: string
  result: AsyncifyResult
  /** Wasm import module name -> JS module specifier the glue imports by default. */
  importModules: Record<string, string>
  /** The glue provides `wasi_snapshot_preview1` with @unplugin-asyncify/wasi. */
  wasi: boolean
}

export interface ProcessorContext {
  root: string
  mode?: 'development' | 'production'
  logger: Logger
  /** First characters of import specifiers the `dts` file declares (the defaults plus the host's aliases). */
  dtsPrefixes?: readonly string[]
  /** Say that a transform is running once it took this long. @default PROGRESS_AFTER_MS */
  progressAfterMs?: number
}

/** A first transform can take seconds (Binaryen loads, then runs): past this, say so instead of looking hung. */
export const PROGRESS_AFTER_MS = 1000

/**
 * Turns one wasm file into core's result and the glue module, transforming once per content: `?asyncify` and `?asyncify&init` of the same file,
 * and rebuilds that did not change it, share one transform and one build-log line.
 */
export class WasmProcessor {
  readonly filter: (file: string) => boolean
  /** Per file, the latest content hash and its result (older versions are dropped). */
  private readonly results = new Map<string, { hash: string; processed: Promise<ProcessedWasm> }>()
  private readonly warned = new Set<string>()
  /** JSPI-first dev serving: per content hash, the input whose Asyncify binary is built when first asked for. */
  private readonly deferred = new Map<string, { file: string; bytes: Uint8Array }>()
  private readonly dts: DtsFile | undefined
  readonly options: PluginOptions
  readonly context: ProcessorContext
  /** Record mode: writes what browser pages of the dev server recorded. */
  readonly profiles: ProfileSink

  constructor(options: PluginOptions, context: ProcessorContext) {
    this.options = options
    this.context = context
    this.filter = createFileFilter(options.include, options.exclude, context.root)
    if (options.dts) {
      const path = options.dts === true ? defaultDtsPath(context.root) : resolve(context.root, options.dts)
      this.dts = new DtsFile(path, context.root)
      if (context.dtsPrefixes) this.dts.prefixes = context.dtsPrefixes
      // In CI the declarations should already be committed: a rewrite means `tsc` before the build saw old ones.
      if (process.env.CI && !options.silent) {
        this.dts.onWrite = (written) =>
          context.logger.warn(
            `${displayPath(written, context.root)} was missing or out of date and has been rewritten; commit it, ` +
              'so that tsc before the build sees the exact types.',
          )
      }
    }
    this.profiles = new ProfileSink(context)
  }

  /**
   * Process `file` (its bytes are read unless given; `cached`: its result, already read from the cache). Throws
   * `AsyncifyError` with the file in the message.
   */
  private async process(file: string, bytes?: Uint8Array, cached?: AsyncifyResult): Promise<ProcessedWasm> {
    const input = bytes ?? (await readWasm(file, this.context.root))
    // the profile a build uses is part of what it depends on (a recording build does not read it)
    const { profile: setting, profileFile: where } = this.options.core
    const recording = setting === 'record' && this.context.mode === 'development'
    const profile =
      setting === false || recording ? '' : await readProfileText(profileFile(file, where, this.context.root))
    const hash = createHash('sha256').update(input).update(profile).digest('hex')
    const known = this.results.get(file)
    if (known?.hash === hash) return known.processed
    const processed = this.run(file, input, cached)
    this.results.set(file, { hash, processed })
    // A failure must not stick: the next build retries (and reports again).
    processed.catch(() => {
      if (this.results.get(file)?.processed === processed) this.results.delete(file)
    })
    return processed
  }

  /**
   * The JS module that answers `?asyncify` (`exports`) or `?asyncify&init` (`init`) for `file` (its bytes are
   * read unless given). A binary under `inlineLimit` goes into the JS; `place` puts any other where the host
   * serves it from and says how the glue finds it.
   */
  async glue(
    file: string,
    variant: 'exports' | 'init',
    place: (asset: WasmAsset) => Promise<GlueSource>,
    bytes?: Uint8Array,
    /** The glue runs in a page of the Vite dev server: record mode sends its samples over `import.meta.hot`. */
    hot = false,
  ): Promise<string> {
    return this.glueOf(await this.process(file, bytes), variant, place, hot)
  }

  /** `glue()` once the file is processed. */
  private async glueOf(
    processed: ProcessedWasm,
    variant: 'exports' | 'init',
    place: (asset: WasmAsset) => Promise<GlueSource>,
    hot = false,
  ): Promise<string> {
    const { recorder } = processed.result
    if (recorder) this.profiles.expect(recorder, processed.result.wasm)
    this.warnExports(processed, variant)
    const sources: Record<string, GlueSource> = {}
    for (const asset of wasmAssets(processed.file, processed.result))
      sources[asset.mode] = await this.source(asset, place)
    return this.genGlue(processed, variant, sources, hot)
  }

  /**
   * Vite dev, for a browser page: the glue right after a cheap first step (no Asyncify pass), serving the JSPI
   * binary at once; the Asyncify one is built only when a browser without JSPI asks for it at `devPath(hash)`
   * (`deferredAsyncify`). A full result already in the cache is used as it is.
   */
  async glueJspiFirst(
    file: string,
    variant: 'exports' | 'init',
    place: (asset: WasmAsset) => Promise<GlueSource>,
    devPath: (hash: string, name: string) => string,
  ): Promise<string> {
    const bytes = await readWasm(file, this.context.root)
    const context = { root: this.context.root, mode: this.context.mode, filename: file }
    const cached = await cachedAsyncify(bytes, this.options.core, context)
    // the result just read from the cache: processing it again would read the cache a second time
    if (cached) return this.glueOf(await this.process(file, bytes, cached), variant, place)
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
    const prepared = await prepareJspi(bytes, this.options.core, context)
    this.deferred.set(hash, { file, bytes })
    const result: AsyncifyResult = { ...prepared, wasm: prepared.jspiWasm }
    const processed: ProcessedWasm = { file, result, ...(await this.describe(file, prepared.meta)) }
    this.warnExports(processed, variant)
    const jspi = wasmAssets(file, result).find((asset) => asset.mode === 'jspi')!
    return this.genGlue(processed, variant, {
      jspi: await this.source(jspi, place),
      asyncify: { kind: 'dev-path', path: devPath(hash, jspi.name.replace(/\.jspi\.wasm$/, '.wasm')) },
    })
  }

  /** The Asyncify binary a JSPI-first glue points to (`hash` from its dev path): the full transform, once. */
  async deferredAsyncify(hash: string): Promise<Uint8Array | undefined> {
    const input = this.deferred.get(hash)
    if (!input) return undefined
    return (await this.process(input.file, input.bytes)).result.wasm
  }

  private async source(
    asset: WasmAsset,
    place: (asset: WasmAsset) => Promise<GlueSource>,
  ): Promise<GlueSource> {
    return asset.bytes.length < this.options.inlineLimit
      ? { kind: 'inline', base64: toBase64(asset.bytes) }
      : place(asset)
  }

  private genGlue(
    processed: Pick<ProcessedWasm, 'result' | 'importModules' | 'wasi'>,
    variant: 'exports' | 'init',
    sources: Record<string, GlueSource>,
    hot = false,
  ): string {
    const { recorder } = processed.result
    return genGlue({
      meta: processed.result.meta,
      variant,
      runtime: runtimePath(),
      sources,
      importModules: processed.importModules,
      name: processed.result.report.file,
      wasi: processed.wasi ? this.glueWasi() : undefined,
      recorder: recorder && { module: profilePath(), options: recorder, hot },
    })
  }

  /** The glue's WASI settings: the config's JSON part, and its options module resolved like `importModules`. */
  private glueWasi(): GlueWasi {
    const { optionsModule, ...options } = this.options.wasi || {}
    const wasi: GlueWasi = { module: wasiPath(), options }
    if (optionsModule !== undefined) {
      wasi.optionsModule = /^\.\.?\//.test(optionsModule)
        ? slash(resolve(this.context.root, optionsModule))
        : slash(optionsModule)
    }
    return wasi
  }

  /** What the named-export form cannot do with this module, said at build time. */
  private warnExports(processed: ProcessedWasm, variant: 'exports' | 'init'): void {
    if (variant !== 'exports') return
    this.warnUnprovided(processed)
    this.warnThenExport(processed)
  }

  /**
   * The named-export form instantiates with the default imports only: say so at build time when some import
   * module has no JS module behind it, instead of letting the first call fail to link.
   */
  private warnUnprovided(processed: ProcessedWasm): void {
    const provided = processed.wasi
      ? { ...processed.importModules, [WASI_MODULE]: '' }
      : processed.importModules
    const missing = unprovidedModules(processed.result.meta, provided)
    if (missing.length === 0 || this.options.silent || this.warned.has(processed.file)) return
    this.warned.add(processed.file)
    const name = processed.result.report.file ?? processed.file
    const list = missing.map((module) => JSON.stringify(module)).join(', ')
    const example = `{ ${JSON.stringify(missing[0])}: './src/wasm-imports.js' }`
    this.context.logger.warn(
      `${name}?asyncify: the wasm imports from ${list}, which no JS module provides, so its exports will fail to ` +
        `instantiate. Set importModules: ${example}, or import it with ?asyncify&init and pass the imports to init().`,
    )
  }

  /** `then` is left out of the named exports (a namespace with it is a thenable): say where it went. */
  private warnThenExport(processed: ProcessedWasm): void {
    const { meta } = processed.result
    const key = `${processed.file}\0then`
    if (this.options.silent || this.warned.has(key)) return
    if (!meta.exports.some((entry) => entry.kind === 'function' && entry.name === 'then')) return
    this.warned.add(key)
    this.context.logger.warn(
      `${processed.result.report.file ?? processed.file}?asyncify: the wasm export "then" is not a named export: ` +
        'a module namespace with a then function is a thenable, so `await import()` of it would never settle. ' +
        'Import it with ?asyncify&init and call (await init()).exports.then().',
    )
  }

  private async run(file: string, bytes: Uint8Array, cached?: AsyncifyResult): Promise<ProcessedWasm> {
    const { root, mode, logger, progressAfterMs = PROGRESS_AFTER_MS } = this.context
    const progress =
      this.options.silent || cached
        ? undefined
        : setTimeout(() => {
            logger.info(
              `${displayPath(file, root)}: running Asyncify (${formatBytes(bytes.length)})... the first build of a ` +
                'file takes a few seconds, later builds come from the cache',
            )
          }, progressAfterMs)
    let result: AsyncifyResult
    try {
      result = cached ?? (await asyncify(bytes, this.options.core, { root, mode, filename: file }))
    } finally {
      clearTimeout(progress)
    }
    if (!this.options.silent) {
      logger.info(formatReport(result.report))
      for (const warning of result.report.warnings) logger.warn(`${result.report.file ?? file}: ${warning}`)
    }
    return { file, result, ...(await this.describe(file, result.meta)) }
  }

  /** What the glue needs besides the result: the import modules, whether we wire WASI; updates the d.ts. */
  private async describe(
    file: string,
    meta: WasmMeta,
  ): Promise<Pick<ProcessedWasm, 'importModules' | 'wasi'>> {
    const importModules = resolveImportModules(meta, file, this.context.root, this.options.importModules)
    // WASI comes from us unless turned off or provided by an importModules entry
    const wasi =
      this.options.wasi !== false &&
      !Object.hasOwn(importModules, WASI_MODULE) &&
      meta.imports.some((entry) => entry.module === WASI_MODULE)
    const declared = await this.dts?.update(file, meta, Object.keys(importModules), wasi)
    if (declared === false && !this.options.silent) {
      this.context.logger.warn(
        `${displayPath(file, this.context.root)}: no declarations in ${this.dts!.path}: the file's path has a "*", ` +
          'which TypeScript cannot put into a module pattern. The generic types of unplugin-asyncify/client ' +
          'apply; rename the file for precise ones.',
      )
    }
    return { importModules, wasi }
  }
}

/** The profile's text, or '' when there is none (or the file cannot be read: core says why, if it matters). */
async function readProfileText(file: string | undefined): Promise<string> {
  if (file === undefined) return ''
  try {
    return await readFile(file, 'utf8')
  } catch {
    return ''
  }
}

async function readWasm(file: string, root: string): Promise<Uint8Array> {
  try {
    return await readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const failure = new Error(
      `Failed to read "${displayPath(file, root)}": ${code ?? String(error)}. Check the import path.`,
      {
        cause: error,
      },
    )
    // Keep the fs code (ENOENT, EACCES) as the stable code callers branch on.
    throw Object.assign(failure, { code })
  }
}

function displayPath(file: string, root: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file
}
