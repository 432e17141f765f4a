/**
 * `asyncify()`: options -> cache -> worker pool -> result. Everything here runs in the caller's thread and
 * stays cheap; Binaryen only ever runs in a pool worker.
 */

import { basename } from 'node:path'
import type { WasmMeta } from '@unplugin-asyncify/runtime'
import type { RecorderOptions } from '@unplugin-asyncify/runtime/profile'
import { getPool } from './binaryen/pool.ts'
import type { InjectedFault, TransformOptions, TransformOutput } from './binaryen/protocol.ts'
import { cacheKey, readCache, writeCache } from './cache.ts'
import { AsyncifyError, asyncifyError, fromFailure, TransformFailure } from './errors.ts'
import { restoreExportNames } from './export-names.ts'
import { type AsyncifyOptions, displayFile, type ResolveContext, resolveOptions } from './options.ts'
import { planProfile, profileModule, profileTransformOptions, staleProfileWarnings } from './profile.ts'
import type { BuildReport } from './report.ts'
import { unmatchedEntryWarnings } from './unmatched.ts'
import { withoutRanges } from './wasm-section-list.ts'
import { checkSections, readFunctionNames, type WasmSectionsInfo } from './wasm-sections.ts'

export interface AsyncifyResult {
  /** Asyncified and optimized bytes; with `jspi: 'only'` the optimized, non-asyncified bytes. */
  wasm: Uint8Array<ArrayBuffer>
  /** Optimized, NON-asyncified bytes for engines with JSPI; present when `jspi` is `'auto'`. */
  jspiWasm?: Uint8Array<ArrayBuffer>
  meta: WasmMeta
  report: BuildReport
  /**
   * Record mode (`profile: 'record'` in development): what the glue's recorder needs, the profile file
   * (absolute) and the input it describes.
   */
  recorder?: RecorderOptions
}

export interface AsyncifyContext extends ResolveContext {
  /** The input's path (absolute or relative to `root`), used in messages and the report. */
  filename?: string
}

/** Test-only knobs; not part of the public API. */
export interface InternalAsyncifyContext extends AsyncifyContext {
  fault?: InjectedFault
  /** `prepareJspi()`: stop before the pass. */
  stage?: 'jspi'
  /** `cachedAsyncify()`: a miss throws `CACHE_MISS` instead of running the transform. */
  cacheOnly?: boolean
}

/**
 * Only the JSPI binary and its meta, without the Asyncify pass (a fraction of the time): what a dev server can
 * serve first to browsers with JSPI. The meta matches what `asyncify()` gives for the same input and options,
 * except that exports carry no `suspending` flags.
 */
export async function prepareJspi(
  bytes: Uint8Array,
  options?: AsyncifyOptions,
  context: AsyncifyContext = {},
): Promise<{ jspiWasm: Uint8Array<ArrayBuffer>; meta: WasmMeta; report: BuildReport }> {
  const { wasm, meta, report } = await asyncify(bytes, options, {
    ...context,
    stage: 'jspi',
  } as AsyncifyContext)
  return { jspiWasm: wasm, meta, report }
}

/**
 * The cached result of `asyncify()` for these bytes and options, or `undefined` when there is none: never starts
 * a worker (a dev server uses it to skip `prepareJspi()` when the full result is already there).
 */
export async function cachedAsyncify(
  bytes: Uint8Array,
  options?: AsyncifyOptions,
  context: AsyncifyContext = {},
): Promise<AsyncifyResult | undefined> {
  return asyncify(bytes, options, { ...context, cacheOnly: true } as AsyncifyContext).catch(
    (error: unknown) => {
      if (error === CACHE_MISS) return undefined
      throw error
    },
  )
}

const CACHE_MISS = Symbol('cache miss')

/** Run Binaryen's Asyncify on `bytes` (in a worker), or return the cached result. */
export async function asyncify(
  bytes: Uint8Array,
  options?: AsyncifyOptions,
  context: AsyncifyContext = {},
): Promise<AsyncifyResult> {
  const started = performance.now()
  const root = context.root ?? process.cwd()
  const file = displayFile(context.filename, root)
  const resolved = await resolveOptions(options, { ...context, root })
  if (!(bytes instanceof Uint8Array)) {
    throw asyncifyError(
      'ASYNCIFY_NOT_WASM',
      file,
      'the input is not a Uint8Array',
      'Pass the file contents as bytes',
    )
  }
  // Cheap checks up front: junk input (and any count too large for the bytes) fails without starting a worker.
  let sections: WasmSectionsInfo
  try {
    sections = checkSections(bytes)
  } catch (error) {
    throw fromFailure(error as TransformFailure, file)
  }
  // Engines ignore custom sections; Binaryen rejects the whole module for a malformed one it reads.
  const broken = sections.brokenCustomSections
  const input = broken.length > 0 ? withoutRanges(bytes, broken) : bytes
  const inputWarnings = broken.map(
    (section) =>
      `dropped the malformed ${JSON.stringify(section.name)} custom section (${section.reason}): engines ignore ` +
      'it, but Binaryen would reject the module. Fix the tool that wrote it',
  )

  const { cacheDir, stackSize, maxPausedCalls, profile: _, profileFile: _file, ...rest } = resolved
  const plan = await planProfile(resolved, context.filename, root)
  const planned = profileTransformOptions(rest, plan, options ?? {})
  const stage = (context as InternalAsyncifyContext).stage
  const transformOptions = stage ? { ...planned, stage } : planned
  const warnings: string[] = [...plan.warnings]
  let output: TransformOutput | undefined
  let key: string | undefined
  if (cacheDir !== false) {
    key = cacheKey(input, transformOptions)
    const lookup = await readCache(cacheDir, key)
    if (lookup.status === 'hit') output = lookup.output
    else if (lookup.status === 'corrupt') warnings.push(`rebuilt a corrupt cache entry (${lookup.reason})`)
  }
  const hit = output !== undefined
  if (!output && (context as InternalAsyncifyContext).cacheOnly) throw CACHE_MISS
  if (!output) {
    output = await runInWorker(input, transformOptions, file, (context as InternalAsyncifyContext).fault)
    output.meta = restoreExportNames(output.meta, output.wasm)
    if (cacheDir !== false && key) {
      try {
        await writeCache(cacheDir, key, output)
      } catch (error) {
        warnings.push(`could not write the cache in ${cacheDir} (${(error as Error).message})`)
      }
    }
  }

  // Not cached with the output: it only reads the meta and the input, and the same bytes may get other lists.
  // The user's lists: a profile's names that match nothing are the stale-profile warning below.
  const { addList, removeList, onlyList, asyncImports } = rest
  const functionNames =
    addList.length + removeList.length + onlyList.length > 0 ? readFunctionNames(input) : []
  warnings.push(
    ...unmatchedEntryWarnings({ asyncImports, addList, removeList, onlyList }, output.meta, functionNames),
  )
  const placementWarning = topRegionWarning(output.meta, stackSize)
  if (placementWarning) warnings.push(placementWarning)
  const module = profileModule(bytes, output.totalFunctions, sections.hasFunctionNames)
  if (plan.kind === 'use') warnings.push(...staleProfileWarnings(plan, module, output, root))
  const report: BuildReport = {
    inputBytes: bytes.length,
    outputBytes: output.wasm.length,
    instrumented: output.instrumented,
    totalFunctions: output.totalFunctions,
    timeMs: performance.now() - started,
    cache: cacheDir === false ? 'off' : hit ? 'hit' : 'miss',
    warnings: [...inputWarnings, ...output.warnings, ...warnings],
  }
  if (file !== undefined) report.file = file
  if (output.jspiWasm) report.jspiBytes = output.jspiWasm.length
  if (output.suggestedAsyncImports) report.suggestedAsyncImports = output.suggestedAsyncImports
  if (output.binaryenOutput) report.binaryenOutput = output.binaryenOutput
  if (output.dwarfRemovedBytes) report.dwarfRemovedBytes = output.dwarfRemovedBytes
  if (output.causes) report.causes = output.causes
  if (plan.kind !== 'none') report.profile = { file: displayFile(plan.file, root)!, mode: plan.kind }
  // Per call, not cached: the same bytes may be imported under different names, with other runtime options.
  const meta: WasmMeta = {
    ...output.meta,
    buffer: { ...output.meta.buffer, stackSize },
    maxPausedCalls,
  }
  if (file !== undefined) meta.file = basename(file)
  if (plan.kind === 'use') meta.profile = basename(plan.file)
  const result: AsyncifyResult = { wasm: output.wasm, meta, report }
  if (plan.kind === 'record') result.recorder = { file: plan.file, module }
  if (output.jspiWasm) result.jspiWasm = output.jspiWasm
  return result
}

/**
 * The top region needs `stackSize` bytes of pages above the memory's declared size: with a maximum that
 * leaves no room and no malloc to fall back on, every pause would fail; say so at build time.
 */
function topRegionWarning(meta: TransformOutput['meta'], stackSize: number): string | undefined {
  const { memory, buffer } = meta
  if (!buffer.top || buffer.allocExport || meta.inWasmRuntime || memory.maximum === undefined)
    return undefined
  const pages = Math.ceil((stackSize + 16) / 65536)
  if (memory.initial + pages <= memory.maximum) return undefined
  return `no safe place for the ${stackSize}-byte unwind buffer: its memory cannot grow by ${pages} pages (maximum ${memory.maximum}) and no malloc was found. Lower stackSize, raise the memory maximum, or pass { buffer: { start, end } } to instantiate()`
}

async function runInWorker(
  bytes: Uint8Array,
  options: TransformOptions,
  file: string | undefined,
  fault: InjectedFault | undefined,
): Promise<TransformOutput> {
  try {
    // Copy: the caller keeps its buffer, and postMessage must not detach it.
    return await getPool().run(bytes.slice(), options, fault)
  } catch (error) {
    if (error instanceof TransformFailure) throw fromFailure(error, file)
    if (error instanceof AsyncifyError) throw error
    throw asyncifyError('ASYNCIFY_WORKER_CRASHED', file, String(error), 'Please report this', {
      cause: error,
    })
  }
}
