/**
 * List entries that match nothing in the module: `asyncImports: ['env.slep']` would otherwise build without a
 * word and pause nowhere. Computed from the meta (imports) and the input's name section (functions), outside the
 * Binaryen worker, on every call (cache hits included), and reported as build warnings.
 */

import type { WasmMeta } from '@unplugin-asyncify/runtime'
import { wildcardMatch } from './inspect.ts'
import { closestKey, WASI_ASYNC_IMPORTS } from './options.ts'

/** Show at most this many of the module's real names. */
const SHOWN = 6

export interface ListedEntries {
  asyncImports: string[] | undefined
  addList: string[]
  removeList: string[]
  onlyList: string[]
}

/**
 * One warning per entry that matches nothing: the entry, the closest real name ("did you mean") and the real
 * names. `functionNames` are the name section's; without them the function lists are not checked (the transform
 * already says that no name can match).
 */
export function unmatchedEntryWarnings(
  lists: ListedEntries,
  meta: Pick<WasmMeta, 'imports'>,
  functionNames: string[],
): string[] {
  const imports = meta.imports
    .filter((entry) => entry.kind === 'function')
    .map((entry) => `${entry.module}.${entry.name}`)
  // The WASI imports that wait are added to every list (options.ts); a module without them is no mistake.
  const asyncImports = (lists.asyncImports ?? []).filter((entry) => !WASI_ASYNC_IMPORTS.includes(entry))
  const warnings = check('asyncImports', asyncImports, imports, 'function import', 'nothing pauses there')
  if (functionNames.length > 0) {
    for (const name of ['addList', 'removeList', 'onlyList'] as const) {
      warnings.push(...check(name, lists[name], functionNames, 'function', 'the entry has no effect'))
    }
  }
  return warnings
}

/**
 * One list may serve several wasm files (a bundler plugin's options), so an entry another file uses is no
 * mistake here: warn about an entry only when it looks like a typo of a real name, or when no entry of the list
 * matches anything in this module.
 */
function check(option: string, entries: string[], names: string[], what: string, effect: string): string[] {
  const unmatched = entries.filter((entry) => !names.some((name) => wildcardMatch(entry, name)))
  const noneMatched = unmatched.length === entries.length
  const warnings: string[] = []
  for (const entry of unmatched) {
    const closest = entry.includes('*') ? undefined : closestKey(entry, names)
    if (!closest && !noneMatched) continue
    const guess = closest ? ` Did you mean ${JSON.stringify(closest)}?` : ''
    const shown = names.slice(0, SHOWN).map((name) => JSON.stringify(name))
    const more = names.length > SHOWN ? `, ... (${names.length - SHOWN} more)` : ''
    const real =
      names.length > 0
        ? `the module's ${what}s are [${shown.join(', ')}${more}]`
        : `the module has no ${what}s`
    warnings.push(
      `${option} entry ${JSON.stringify(entry)} matches no ${what}, so ${effect}.${guess} (${real})`,
    )
  }
  return warnings
}
