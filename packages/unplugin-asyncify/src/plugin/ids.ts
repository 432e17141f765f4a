/**
 * Which module ids the plugin handles: `.wasm` at the end of the path and `asyncify` as a query key
 * (`./game.wasm?asyncify`, `?asyncify&init`, `?init&asyncify`, Vite dev's `?import&asyncify`). A plain
 * `./game.wasm` never matches: webpack turns its async-wasm default off as soon as a rule claims `.wasm` files,
 * and Vite, webpack and Rspack must keep handling those imports themselves.
 *
 * Both regexes are RE2-compatible because esbuild runs plugin filters in Go.
 */

/** Resolve, load and the webpack loader all test ids with this one. */
export const ASYNCIFY_ID_RE: RegExp = /^[^?#]*\.wasm\?(?:[^#]*&)?asyncify(?:[=&#]|$)/

/** Any path with the `asyncify` query key: resolve claims these too, to refuse non-wasm files with a clear error. */
export const ASYNCIFY_ANY_ID_RE: RegExp = /^[^?#]*\?(?:[^#]*&)?asyncify(?:[=&#]|$)/

/** The query half alone, for webpack/Rspack `resourceQuery` (which holds `?…` without the path). */
export const ASYNCIFY_QUERY_RE: RegExp = /^\?(?:[^#]*&)?asyncify(?:[=&#]|$)/

export type GlueVariant = 'exports' | 'init'

export interface AsyncifyId {
  /** The wasm path without query or hash. */
  file: string
  /** `?asyncify&init` asks for the factory, anything else for the named exports. */
  variant: GlueVariant
}

export function parseAsyncifyId(id: string): AsyncifyId {
  const query = id.indexOf('?')
  const file = query === -1 ? id : id.slice(0, query)
  const params = new URLSearchParams(query === -1 ? '' : id.slice(query + 1).replace(/#.*$/, ''))
  return { file, variant: params.has('init') ? 'init' : 'exports' }
}

/** Split `./game.wasm?asyncify&init` into the path the host resolves and the query we put back afterwards. */
export function splitQuery(id: string): { path: string; query: string } {
  const index = id.indexOf('?')
  return index === -1 ? { path: id, query: '' } : { path: id.slice(0, index), query: id.slice(index) }
}
