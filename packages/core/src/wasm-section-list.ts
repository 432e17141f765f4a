/**
 * The top-level section list of a module and cutting sections out of it: what the DWARF strip, the name-section
 * swap and the pre-check's dropping of malformed custom sections share. Reads through the bounds-checked cursor.
 */
import { Reader } from './wasm-reader.ts'

export interface SectionSpan {
  id: number
  /** The custom section's name (id 0 only). */
  name?: string
  /** Byte range of the whole section, id and size included. */
  start: number
  end: number
}

const utf8 = new TextDecoder('utf-8', { fatal: false })

/** Every section of a valid module, in order. */
export function sectionSpans(bytes: Uint8Array): SectionSpan[] {
  const spans: SectionSpan[] = []
  const r = new Reader(bytes, 8, bytes.length)
  while (r.remaining > 0) {
    const start = r.offset
    const id = r.byte()
    const size = r.u32()
    const end = r.offset + size
    const span: SectionSpan = { id, start, end }
    if (id === 0) {
      const length = r.u32()
      span.name = utf8.decode(bytes.subarray(r.offset, r.offset + length))
    }
    spans.push(span)
    r.offset = end
  }
  return spans
}

/** `bytes` without the given ranges (in order, not overlapping). */
export function withoutRanges<T extends ArrayBufferLike>(
  bytes: Uint8Array<T>,
  ranges: readonly { start: number; end: number }[],
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length - ranges.reduce((sum, range) => sum + range.end - range.start, 0))
  let at = 0
  let offset = 0
  for (const range of [...ranges, { start: bytes.length, end: bytes.length }]) {
    out.set(bytes.subarray(offset, range.start), at)
    at += range.start - offset
    offset = range.end
  }
  return out
}
