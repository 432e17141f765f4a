/**
 * Why functions are instrumented, for the build report. `asyncify-verbose` prints one line per reason:
 * `f can change the state due to g` (f calls g, which can), `due to initial scan` (f has an indirect call, or
 * calls the in-wasm runtime), `x is an import that can change the state`. Walking those edges back from each
 * root tells how many instrumented functions each cause reaches: an interpreter's are mostly "indirect calls".
 */

import type { TextScan } from '../inspect.ts'

const EDGE = /^\[asyncify\] (.*) can change the state due to (.*)$/
const ADDED = /^\[asyncify\] (.*) is in the add-list, add$/
const INITIAL = 'initial scan'
export const INDIRECT_CAUSE = 'indirect calls'

export interface InstrumentationCause {
  /** An async import (`module.name`), `indirect calls`, `addList`, or `asyncify runtime`. */
  cause: string
  /** Instrumented functions it reaches. */
  functions: number
}

/** Per cause, the instrumented functions (`instrumented`) it reaches; most first. */
export function instrumentationCauses(
  verbose: string,
  scan: TextScan,
  instrumented: ReadonlySet<string>,
): InstrumentationCause[] {
  const callers = new Map<string, string[]>()
  const roots = new Map<string, string[]>()
  const root = (cause: string, name: string) => {
    const list = roots.get(cause)
    if (list) list.push(name)
    else roots.set(cause, [name])
  }
  const byName = new Map(scan.functions.map((fn) => [fn.name, fn]))
  for (const line of verbose.split('\n')) {
    const added = ADDED.exec(line)
    if (added) root('addList', added[1]!)
    const edge = EDGE.exec(line)
    if (!edge) continue
    const [, fn, reason] = edge as unknown as [string, string, string]
    if (reason === INITIAL) {
      root(byName.get(fn)?.callIndirect ? INDIRECT_CAUSE : 'asyncify runtime', fn)
      continue
    }
    const qualified = scan.importedFunctions.get(reason)
    if (qualified !== undefined) root(qualified, fn)
    const list = callers.get(reason)
    if (list) list.push(fn)
    else callers.set(reason, [fn])
  }
  const causes: InstrumentationCause[] = []
  for (const [cause, seeds] of roots) {
    const reached = new Set<string>()
    const queue = [...seeds]
    while (queue.length > 0) {
      const name = queue.pop()!
      if (reached.has(name)) continue
      reached.add(name)
      queue.push(...(callers.get(name) ?? []))
    }
    const functions = [...reached].filter((name) => instrumented.has(name)).length
    if (functions > 0) causes.push({ cause, functions })
  }
  return causes.sort((a, b) => b.functions - a.functions || (a.cause < b.cause ? -1 : 1))
}
