/**
 * A byte-level look at a .wasm file, done before Binaryen sees it: Binaryen aborts or answers with a generic
 * parse error on bytes that are not wasm or are cut short, and it cannot tell us whether a name section exists.
 */

import { TransformFailure } from './errors.ts'

export const NOT_WASM_FIX = 'Import a .wasm binary (compile .wat text first, e.g. with wasm-as or wabt)'
export const INVALID_FIX = 'Rebuild the .wasm; the file may be truncated or produced by a broken toolchain'

export interface WasmSectionsInfo {
  /** A `name` custom section with a function-names subsection: add/remove/only lists can match. */
  hasFunctionNames: boolean
}

export type SectionsProblem = { kind: 'not-wasm'; detail: string } | { kind: 'invalid'; detail: string }

const MAGIC = [0x00, 0x61, 0x73, 0x6d]
const CUSTOM_SECTION = 0
const FUNCTION_NAMES_SUBSECTION = 1

/** Walk the section headers; returns the facts or the first problem found. */
export function readSections(bytes: Uint8Array): WasmSectionsInfo | SectionsProblem {
  if (bytes.length < 4 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    return { kind: 'not-wasm', detail: 'the file does not start with the wasm magic bytes "\\0asm"' }
  }
  if (bytes.length < 8) return { kind: 'invalid', detail: 'the file ends inside the wasm header' }
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)
  if (version !== 1) {
    return {
      kind: 'invalid',
      detail: `unsupported wasm binary version ${version} (only version 1 is supported)`,
    }
  }
  let offset = 8
  let hasFunctionNames = false
  while (offset < bytes.length) {
    const id = bytes[offset++]!
    const size = readU32(bytes, offset)
    if (!size)
      return { kind: 'invalid', detail: `the file is truncated (section header at byte ${offset - 1})` }
    offset = size.next
    const end = offset + size.value
    if (end > bytes.length) {
      return {
        kind: 'invalid',
        detail: `the file is truncated (section ${id} needs ${size.value} bytes, ${bytes.length - offset} left)`,
      }
    }
    if (id === CUSTOM_SECTION) {
      const name = readName(bytes, offset, end)
      if (name?.value === 'name' && hasSubsection(bytes, name.next, end, FUNCTION_NAMES_SUBSECTION)) {
        hasFunctionNames = true
      }
    }
    offset = end
  }
  return { hasFunctionNames }
}

export function isSectionsProblem(value: WasmSectionsInfo | SectionsProblem): value is SectionsProblem {
  return 'kind' in value
}

/** `readSections`, throwing the failure (code, cause, fix) that names the first problem. */
export function checkSections(bytes: Uint8Array): WasmSectionsInfo {
  const sections = readSections(bytes)
  if (!isSectionsProblem(sections)) return sections
  throw sections.kind === 'not-wasm'
    ? new TransformFailure(
        'ASYNCIFY_NOT_WASM',
        `it is not a WebAssembly binary (${sections.detail})`,
        NOT_WASM_FIX,
      )
    : new TransformFailure('ASYNCIFY_INVALID_WASM', sections.detail, INVALID_FIX)
}

/**
 * The function names of the `name` section (imports included), as Binaryen reads them for the function lists;
 * empty without a function-names subsection. Malformed entries end the list instead of throwing.
 */
export function readFunctionNames(bytes: Uint8Array): string[] {
  const names: string[] = []
  let offset = 8
  while (offset < bytes.length) {
    const id = bytes[offset++]!
    const size = readU32(bytes, offset)
    if (!size) return names
    const end = size.next + size.value
    const name = id === CUSTOM_SECTION ? readName(bytes, size.next, end) : undefined
    if (name?.value === 'name') readNameMap(bytes, name.next, end, names)
    offset = end
  }
  return names
}

/** The function-names subsection: a vector of (index, name). */
function readNameMap(bytes: Uint8Array, start: number, end: number, names: string[]): void {
  let offset = start
  while (offset < end) {
    const id = bytes[offset++]!
    const size = readU32(bytes, offset)
    if (!size) return
    if (id === FUNCTION_NAMES_SUBSECTION) {
      const subsectionEnd = size.next + size.value
      const count = readU32(bytes, size.next)
      let at = count?.next ?? subsectionEnd
      for (let i = 0; i < (count?.value ?? 0); i++) {
        const index = readU32(bytes, at)
        const name = index && readName(bytes, index.next, subsectionEnd)
        if (!name) return
        names.push(name.value)
        at = name.next
      }
      return
    }
    offset = size.next + size.value
  }
}

function hasSubsection(bytes: Uint8Array, start: number, end: number, wanted: number): boolean {
  let offset = start
  while (offset < end) {
    const id = bytes[offset++]!
    const size = readU32(bytes, offset)
    if (!size) return false
    if (id === wanted && size.value > 0) return true
    offset = size.next + size.value
  }
  return false
}

function readName(
  bytes: Uint8Array,
  offset: number,
  end: number,
): { value: string; next: number } | undefined {
  const length = readU32(bytes, offset)
  if (!length || length.next + length.value > end) return undefined
  const value = new TextDecoder().decode(bytes.subarray(length.next, length.next + length.value))
  return { value, next: length.next + length.value }
}

/** Unsigned LEB128, at most 5 bytes. */
function readU32(bytes: Uint8Array, offset: number): { value: number; next: number } | undefined {
  let value = 0
  for (let i = 0; i < 5; i++) {
    if (offset + i >= bytes.length) return undefined
    const byte = bytes[offset + i]!
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 }
  }
  return undefined
}
