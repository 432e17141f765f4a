/** The build report: what one transform did, and the one-line form build tools print. */

export interface BuildReport {
  /** The input file relative to the project root, when known. */
  file?: string
  inputBytes: number
  /** Bytes of `wasm` (asyncified, or the JSPI build with `jspi: 'only'`). */
  outputBytes: number
  /** Bytes of `jspiWasm`, when built. */
  jspiBytes?: number
  /** Defined functions the Asyncify pass instrumented. */
  instrumented: number
  /** Defined functions in the input. */
  totalFunctions: number
  timeMs: number
  cache: 'hit' | 'miss' | 'off'
  /** Function imports that may pause today (`asyncImports` left at "every import"); list the real ones. */
  suggestedAsyncImports?: string[]
  warnings: string[]
  /** Bytes of DWARF (`.debug_*` sections) removed: stale after the pass, so never shipped. */
  dwarfRemovedBytes?: number
  /** What Binaryen printed that is worth showing (list warnings and the like). */
  binaryenOutput?: string
  /** What makes functions instrumented: per async import or `indirect calls`, the functions it reaches. */
  causes?: { cause: string; functions: number }[]
  /** The profile this build recorded into (`record`) or instrumented from (`use`). */
  profile?: { file: string; mode: 'record' | 'use' }
}

/** Above this share of instrumented functions, the report suggests recording a profile. */
export const PROFILE_HINT_SHARE = 0.3

/** Suggest at most this many names inline; longer lists are cut with a count. */
const SUGGESTION_LIMIT = 6

/**
 * `game.wasm 53.0 kB -> 61.2 kB, 12/87 functions instrumented, 1.2 s (cache miss)`, plus a hint line when
 * `asyncImports` was left at its default.
 */
export function formatReport(report: BuildReport): string {
  const jspi = report.jspiBytes === undefined ? '' : ` (JSPI ${formatBytes(report.jspiBytes)})`
  const line =
    `${report.file ?? 'wasm'} ${formatBytes(report.inputBytes)} -> ${formatBytes(report.outputBytes)}${jspi}, ` +
    `${report.instrumented}/${report.totalFunctions} functions instrumented${formatProfile(report)}, ${formatTime(report.timeMs)} ` +
    `(cache ${report.cache})` +
    (report.dwarfRemovedBytes
      ? `, DWARF removed (${formatBytes(report.dwarfRemovedBytes)}, stale after the pass)`
      : '')
  const hints = [formatSuggestion(report.suggestedAsyncImports), formatCauses(report)].filter(Boolean)
  return [line, ...hints].join('\n')
}

function formatProfile(report: BuildReport): string {
  if (!report.profile) return ''
  return report.profile.mode === 'use'
    ? ` (profile ${report.profile.file})`
    : ` (recording the profile ${report.profile.file})`
}

/** The instrumentation is dominated by a few causes: name them, and the fix, when it exceeds the share. */
function formatCauses(report: BuildReport): string | undefined {
  const { causes, instrumented, totalFunctions } = report
  if (report.profile || !causes?.length || instrumented <= totalFunctions * PROFILE_HINT_SHARE)
    return undefined
  const top = causes.slice(0, 3).map((entry) => `${entry.cause} (${entry.functions})`)
  return `  hint: ${Math.round((instrumented / totalFunctions) * 100)}% of functions instrumented, reached from ${top.join(', ')}; record a profile to instrument only what pauses: profile: 'record' (docs/performance.md)`
}

function formatSuggestion(all: string[] | undefined): string | undefined {
  if (!all || all.length === 0) return undefined
  // WASI imports are left out: the ones that wait are always added (WASI_ASYNC_IMPORTS)
  const imports = all.filter((name) => !name.startsWith('wasi_snapshot_preview1.'))
  if (imports.length === 0) {
    return '  hint: every import may pause, which instruments more code than needed; set asyncImports: [] (the WASI imports that wait, stdin and sleep, are always included)'
  }
  const shown = imports.slice(0, SUGGESTION_LIMIT).map((name) => JSON.stringify(name))
  const more = imports.length > SUGGESTION_LIMIT ? `, ... (${imports.length - SUGGESTION_LIMIT} more)` : ''
  return `  hint: every import may pause, which instruments more code than needed; set asyncImports to the ones that really do, from [${shown.join(', ')}${more}]`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${(bytes / 1_000_000).toFixed(2)} MB`
}

export function formatTime(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
