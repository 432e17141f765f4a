/**
 * Removing DWARF from an output binary. Binaryen copies `.debug_*` custom sections byte for byte unless it
 * reads and rewrites DWARF itself, which its optimizer does not keep accurate; after the Asyncify pass the
 * line info would point at the wrong code. Dropping it is the honest choice (the name section stays when
 * `keepNames` asks for it).
 */

/** The bytes without `.debug_*` custom sections, and what was removed. `bytes` is a valid module. */
export function stripDebugSections(bytes: Uint8Array<ArrayBuffer>): {
  bytes: Uint8Array<ArrayBuffer>
  removed: number
  removedBytes: number
} {
  const kept: Uint8Array[] = [bytes.subarray(0, 8)]
  let removed = 0
  let removedBytes = 0
  let offset = 8
  while (offset < bytes.length) {
    const start = offset
    const id = bytes[offset++]!
    const size = leb(bytes, offset)
    const end = size.next + size.value
    if (id === 0) {
      const length = leb(bytes, size.next)
      const name = new TextDecoder().decode(bytes.subarray(length.next, length.next + length.value))
      if (name.startsWith('.debug_')) {
        removed++
        removedBytes += end - start
        offset = end
        continue
      }
    }
    kept.push(bytes.subarray(start, end))
    offset = end
  }
  if (removed === 0) return { bytes, removed, removedBytes }
  const out = new Uint8Array(bytes.length - removedBytes)
  let at = 0
  for (const part of kept) {
    out.set(part, at)
    at += part.length
  }
  return { bytes: out, removed, removedBytes }
}

function leb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0
  let shift = 0
  let byte: number
  do {
    byte = bytes[offset++]!
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80)
  return { value, next: offset }
}
