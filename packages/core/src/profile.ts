/**
 * Profile-guided instrumentation, the build side (docs/performance.md). The `profile` option decides what a
 * build does with `<name>.asyncify-profile.json`: record one (development, `'record'`: a full build whose glue
 * carries the recorder), build from it (only the recorded functions are instrumented), or ignore it. The file
 * format lives in the runtime (`@unplugin-asyncify/runtime/profile`), which writes it.
 */

import { readFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { type AsyncifyProfile, type ProfileModule, parseProfile } from '@unplugin-asyncify/runtime/profile'
import type { ProfileOption, TransformOptions, TransformOutput } from './binaryen/protocol.ts'
import { sha256 } from './cache.ts'
import { asyncifyError } from './errors.ts'
import { wildcardMatch } from './inspect.ts'
import {
  type AsyncifyOptions,
  displayFile,
  type ResolvedAsyncifyOptions,
  WASI_ASYNC_IMPORTS,
} from './options.ts'

export const PROFILE_SUFFIX = '.asyncify-profile.json'

/** What one build does with its profile. */
export type ProfilePlan =
  | { kind: 'none'; warnings: string[] }
  /** A full build whose glue records into `file`. */
  | { kind: 'record'; file: string; warnings: string[] }
  /** Instrument what `profile` holds. */
  | { kind: 'use'; file: string; profile: AsyncifyProfile; warnings: string[] }

/** The profile file for `filename` (absolute): `profileFile` with `[name]` replaced, or next to the wasm. */
export function profilePath(
  filename: string | undefined,
  profileFile: string | undefined,
  root: string,
): string | undefined {
  const clean = filename?.replace(/[?#].*$/, '')
  const name = clean === undefined ? undefined : basename(clean).replace(/\.wasm$/i, '')
  if (profileFile !== undefined) {
    if (profileFile.includes('[name]') && name === undefined) return undefined
    return resolve(root, profileFile.replaceAll('[name]', name ?? ''))
  }
  return clean === undefined ? undefined : join(dirname(resolve(root, clean)), `${name}${PROFILE_SUFFIX}`)
}

/** Reads the profile the options point at and decides what this build does with it. */
export async function planProfile(
  options: ResolvedAsyncifyOptions,
  filename: string | undefined,
  root: string,
): Promise<ProfilePlan> {
  const warnings: string[] = []
  if (options.profile === 'off') return { kind: 'none', warnings }
  const file = profilePath(filename, options.profileFile, root)
  const shown = displayFile(file, root)
  if (file === undefined) {
    if (options.profile === 'record' || options.profile === 'use') {
      warnings.push(
        'no profile file: the build knows neither the wasm file name nor a profileFile option; building with full instrumentation',
      )
    }
    return { kind: 'none', warnings }
  }
  if (options.profile === 'record') return { kind: 'record', file, warnings }
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw profileError(filename, root, shown, error)
    if (options.profile === 'use') {
      warnings.push(
        `profile: true, but "${shown}" does not exist; building with full instrumentation. Record one with profile: 'record'`,
      )
    }
    return { kind: 'none', warnings }
  }
  try {
    return { kind: 'use', file, profile: parseProfile(text), warnings }
  } catch (error) {
    throw profileError(filename, root, shown, error)
  }
}

function profileError(filename: string | undefined, root: string, shown: string | undefined, cause: unknown) {
  return asyncifyError(
    'ASYNCIFY_PROFILE_INVALID',
    displayFile(filename, root),
    `the profile "${shown}" cannot be read: ${(cause as Error)?.message ?? String(cause)}`,
    "Fix it (a merge conflict is resolved by keeping both sides' names), delete it, or record it again with profile: 'record'",
    { cause },
  )
}

/**
 * The transform's options for this plan. From a profile: `onlyList` is the recorded functions plus the user's
 * `onlyList` and `addList` entries, minus `removeList` matches; `asyncImports` the recorded imports plus the
 * user's list (an import in the list that no recording saw stays able to pause, and a pause through it meets
 * the safety net, not a silent wrong result); `asserts` stay on unless set; function names kept unless
 * `keepNames: false`.
 */
export function profileTransformOptions(
  resolved: Omit<ResolvedAsyncifyOptions, 'cacheDir' | 'stackSize' | 'maxPausedCalls' | ProfileOption>,
  plan: ProfilePlan,
  given: AsyncifyOptions,
): TransformOptions {
  // keepNames on a stripped input: Binaryen's names of its functions (what addList accepts), so that a trap
  // while unwinding can name the exact list entry
  if (plan.kind === 'none') return { ...resolved, functionNames: resolved.keepNames, profiled: false }
  if (plan.kind === 'record') {
    // Binaryen inlines from -O2 (or -Oz) on: a function inlined into its caller would be missing from the
    // stack traces the recorder reads, and from the profile.
    return {
      ...resolved,
      optimizeLevel: Math.min(resolved.optimizeLevel, 1) as 0 | 1,
      shrinkLevel: Math.min(resolved.shrinkLevel, 1) as 0 | 1,
      functionNames: true,
      profiled: false,
    }
  }
  const { profile } = plan
  const removed = (name: string) => resolved.removeList.some((pattern) => wildcardMatch(pattern, name))
  const onlyList = [...new Set([...profile.functions, ...resolved.onlyList, ...resolved.addList])].filter(
    (name) => !removed(name),
  )
  const asyncImports = [
    ...new Set([...(resolved.asyncImports ?? []), ...profile.imports, ...WASI_ASYNC_IMPORTS]),
  ]
  return {
    ...resolved,
    onlyList,
    addList: [],
    removeList: [],
    propagateAddList: false,
    asyncImports,
    asserts: given.asserts ?? true,
    functionNames: given.keepNames !== false,
    profiled: true,
  }
}

/** What the build writes into a profile: the input it was recorded with. */
export function profileModule(bytes: Uint8Array, functions: number, hasNames: boolean): ProfileModule {
  return { sha256: sha256(bytes), functions, names: hasNames ? 'input' : 'index' }
}

/** Warnings for a profile that no longer matches the module it is used with. */
export function staleProfileWarnings(
  plan: ProfilePlan & { kind: 'use' },
  module: ProfileModule,
  output: TransformOutput,
  root: string,
): string[] {
  const shown = displayFile(plan.file, root)
  const recorded = plan.profile.module
  const again = "record it again (profile: 'record')"
  const missing = output.profileMissing ?? []
  if (missing.length > 0) {
    const names = missing.slice(0, 5).map((name) => JSON.stringify(name))
    const more = missing.length > 5 ? `, ... (${missing.length - 5} more)` : ''
    return [
      `profile "${shown}" is stale: ${missing.length} recorded function${missing.length > 1 ? 's are' : ' is'} not in the module (renamed or removed: ${names.join(', ')}${more}); ${again}`,
    ]
  }
  if (recorded.sha256 !== module.sha256 && (module.names === 'index' || recorded.names === 'index')) {
    return [
      `profile "${shown}" was recorded for other bytes of this module, whose functions have no names: the recorded function numbers may mean other functions now; ${again}`,
    ]
  }
  return []
}
