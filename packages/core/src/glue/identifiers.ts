/**
 * Whether a wasm export name can be written as a JS binding (`export const name = …`). Names that cannot
 * (`weird-name`, `default`, `class`) are exported as string names instead: `export { local as "weird-name" }`.
 */

/** ECMAScript IdentifierName: Unicode ID_Start / ID_Continue, plus `$`, `_`, ZWNJ and ZWJ. */
const IDENTIFIER_RE = /^[$_\p{ID_Start}](?:[$\p{ID_Continue}]|\u200C|\u200D)*$/u

/** Reserved words, strict-mode and module-only reserved words, and names strict mode forbids binding. */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'arguments',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'eval',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'let',
  'new',
  'null',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
])

/** Generated locals start with this prefix; an export with the same prefix could collide, so it gets an alias. */
export const GENERATED_PREFIX = '__asyncify_'

/** True when `name` can be declared as `export const name` (or `export function name`) in a module. */
export function isBindableName(name: string): boolean {
  return IDENTIFIER_RE.test(name) && !RESERVED_WORDS.has(name) && !name.startsWith(GENERATED_PREFIX)
}

/** True when `name` can be written as an unquoted property key (reserved words are fine there). */
export function isPropertyName(name: string): boolean {
  return IDENTIFIER_RE.test(name)
}

/**
 * False for `then`: a module namespace with a callable `then` is a thenable, so `await import('./x.wasm?asyncify')`
 * would call it and never settle. The `?asyncify` glue and its declarations leave it out; `?asyncify&init`
 * keeps it on `instance.exports`, which is not awaited.
 */
export function isNamespaceExport(name: string): boolean {
  return name !== 'then'
}
