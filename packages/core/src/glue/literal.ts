/**
 * File names and wasm names are untrusted text: every one reaches generated JS or .d.ts through `jsString` or
 * `jsValue`, never through a template string or a bare `JSON.stringify`.
 *
 * `JSON.stringify` escapes quotes, backslashes and control characters, but leaves U+2028/U+2029 (line
 * terminators in JS: they end a `//` comment, so a file name holding one followed by code would run that code),
 * the star-slash that ends a block comment and `<` (`</script>` or `<!--` in inline HTML) as they are. These escape those
 * too (`\u2028`, `*\/`, `\u003c`), so the result is safe inside a string, a line or block comment and an inline
 * `<script>` alike. Lone surrogates come out as `\udXXX` escapes (`JSON.stringify` is well-formed since ES2019).
 */

/** A double-quoted JS (and JSON) string literal for `value`, safe anywhere in generated code. */
export function jsString(value: string): string {
  return escapeUnsafe(JSON.stringify(String(value)))
}

/** A JSON-serializable value (the build meta) as a JS expression, with the escapes of `jsString`. */
export function jsValue(value: unknown): string {
  return escapeUnsafe(JSON.stringify(value))
}

/** Outside strings JSON has none of these characters, so escaping them everywhere only touches strings. */
const UNSAFE_RE = /[\u2028\u2029<>]|\*\//g

function escapeUnsafe(json: string): string {
  return json.replace(UNSAFE_RE, (match) =>
    match === '*/' ? '*\\/' : `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
