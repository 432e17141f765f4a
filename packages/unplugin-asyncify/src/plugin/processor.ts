import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  type AsyncifyResult,
  asyncify,
  formatBytes,
  formatReport,
  type GlueSource,
  type GlueWasi,
  genGlue,
  profilePath as profileFile,
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

  /** Process `file` (its bytes are read unless given). Throws `AsyncifyError` with the file in the message. */
  private async process(file: string, bytes?: Uint8Array): Promise<ProcessedWasm> {
    const input = bytes ?? (await readWasm(file, this.context.root))
    // the profile a build uses is part of what it depends on (a recording build does not read it)
    const { profile: setting, profileFile: where } = this.options.core
    const recording = setting === 'record' && this.context.mode === 'development'
    const profile =
      setting === false || recording ? '' : await readProfileText(profileFile(file, where, this.context.root))
    const hash = createHash('sha256').update(input).update(profile).digest('hex')
    const known = this.results.get(file)
    if (known?.hash === hash) return known.processed
    const processed = this.run(file, input)
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
    const processed = await this.process(file, bytes)
    const { recorder } = processed.result
    if (recorder) this.profiles.expect(recorder, processed.result.wasm)
    if (variant === 'exports') this.warnUnprovided(processed)
    const sources: Record<string, GlueSource> = {}
    for (const asset of wasmAssets(processed.file, processed.result)) {
      sources[asset.mode] =
        asset.bytes.length < this.options.inlineLimit
          ? { kind: 'inline', base64: toBase64(asset.bytes) }
          : await place(asset)
    }
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

  private async run(file: string, bytes: Uint8Array): Promise<ProcessedWasm> {
    const { root, mode, logger, progressAfterMs = PROGRESS_AFTER_MS } = this.context
    const progress = this.options.silent
      ? undefined
      : setTimeout(() => {
          logger.info(
            `${displayPath(file, root)}: running Asyncify (${formatBytes(bytes.length)})... the first build of a ` +
              'file takes a few seconds, later builds come from the cache',
          )
        }, progressAfterMs)
    let result: AsyncifyResult
    try {
      result = await asyncify(bytes, this.options.core, { root, mode, filename: file })
    } finally {
      clearTimeout(progress)
    }
    if (!this.options.silent) {
      logger.info(formatReport(result.report))
      for (const warning of result.report.warnings) logger.warn(`${result.report.file ?? file}: ${warning}`)
    }
    const importModules = resolveImportModules(result.meta, file, root, this.options.importModules)
    // WASI comes from us unless turned off or provided by an importModules entry
    const wasi =
      this.options.wasi !== false &&
      !(WASI_MODULE in importModules) &&
      result.meta.imports.some((entry) => entry.module === WASI_MODULE)
    await this.dts?.update(file, result.meta, Object.keys(importModules), wasi)
    return { file, result, importModules, wasi }
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
