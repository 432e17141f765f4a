/**
 * Naming the wasm function in a trap, for error messages: the innermost `wasm-function[N]` frame of the
 * engine's stack trace (V8, SpiderMonkey and JavaScriptCore all print it), and its name from the module's
 * name section when the build kept one (`keepNames`, on in development). Only runs when something failed.
 */

/** The innermost wasm function of a trap: its index, and its name when the module has a name section. */
export function trapFunction(
  error: unknown,
  module: WebAssembly.Module | undefined,
): { index: number; name: string | undefined } | undefined {
  const stack = error instanceof Error ? String(error.stack ?? '') : ''
  const match = /wasm-function\[(\d+)\]/.exec(stack)
  if (!match) return undefined
  const index = Number(match[1])
  return { index, name: module ? functionNames(module).get(index) : undefined }
}

/** `function "luaD_call" (wasm-function[263])`, `wasm-function[263]`, or `a function` without a stack. */
export function describeTrap(error: unknown, module: WebAssembly.Module | undefined): string {
  const found = trapFunction(error, module)
  if (!found) return 'a function'
  return found.name === undefined
    ? `wasm-function[${found.index}]`
    : `function ${JSON.stringify(found.name)} (wasm-function[${found.index}])`
}

/** Function index -> name from the `name` custom section (subsection 1), empty when there is none. */
export function functionNames(module: WebAssembly.Module): Map<number, string> {
  const names = new Map<number, string>()
  const [section] = WebAssembly.Module.customSections(module, 'name')
  if (!section) return names
  const bytes = new Uint8Array(section)
  let at = 0
  const leb = (): number => {
    let value = 0
    let shift = 0
    let byte: number
    do {
      if (at >= bytes.length) throw new RangeError('truncated name section')
      byte = bytes[at++]!
      value += (byte & 0x7f) * 2 ** shift
      shift += 7
    } while (byte & 0x80)
    return value
  }
  try {
    while (at < bytes.length) {
      const id = bytes[at++]!
      const size = leb()
      const end = at + size
      if (id === 1) {
        const decoder = new TextDecoder()
        for (let count = leb(); count > 0 && at < end; count--) {
          const index = leb()
          const length = leb()
          names.set(index, decoder.decode(bytes.subarray(at, at + length)))
          at += length
        }
      }
      at = end
    }
  } catch {
    // a malformed name section only costs the names
  }
  return names
}
