// Seeded mutations of real wasm files for the malformed-input fuzz test: byte flips, huge LEB counts anywhere and
// in place of a section's own count (with the enclosing sizes fixed up, so the count is what a reader meets), inserted, deleted and duplicated ranges,
// truncation, shuffled and foreign sections, wrong section sizes, and custom sections with random bodies.

import type { Rng } from './generate.ts'
import { customSection, u32 } from './wasm-writer.ts'

interface SectionSpan {
  id: number
  /** Offset of the id byte. */
  start: number
  /** Offset of the size LEB and its length. */
  sizeAt: number
  sizeBytes: number
  bodyStart: number
  end: number
}

/** The section layout, as far as it can be read; stops at the first header that does not fit. */
export function sections(bytes: Uint8Array): SectionSpan[] {
  const spans: SectionSpan[] = []
  let offset = 8
  while (offset < bytes.length) {
    const start = offset
    const id = bytes[offset++]!
    let size = 0
    let shift = 0
    const sizeAt = offset
    for (;;) {
      if (offset >= bytes.length || shift > 28) return spans
      const byte = bytes[offset++]!
      size += (byte & 0x7f) * 2 ** shift
      shift += 7
      if ((byte & 0x80) === 0) break
    }
    const end = offset + size
    if (end > bytes.length) return spans
    spans.push({ id, start, sizeAt, sizeBytes: offset - sizeAt, bodyStart: offset, end })
    offset = end
  }
  return spans
}

/** Re-encode section sizes after bodies changed length (the spans are from before the change). */
function withSection(bytes: number[], span: SectionSpan, body: number[]): number[] {
  return [...bytes.slice(0, span.start), span.id, ...u32(body.length), ...body, ...bytes.slice(span.end)]
}

const HUGE_COUNTS = [0xffffffff, 0x0fffffff, 0x7fffffff, 1_000_001, 100_001, 65_536, 50_001]
const CUSTOM_NAMES = ['name', 'target_features', 'dylink.0', 'dylink', 'producers', 'sourceMappingURL', 'x']

type Mutation = (bytes: number[], rng: Rng, donors: readonly Uint8Array[]) => number[]

const MUTATIONS: Record<string, Mutation> = {
  flipBit(bytes, rng) {
    const at = 8 + rng.int(Math.max(1, bytes.length - 8))
    bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8))
    return bytes
  },
  setByte(bytes, rng) {
    const at = 8 + rng.int(Math.max(1, bytes.length - 8))
    bytes[at] = rng.pick([0x00, 0x01, 0x7f, 0x80, 0xff, rng.int(256)])
    return bytes
  },
  /** A huge count where a LEB starts inside some section body; that section's size is re-encoded. */
  hugeCount(bytes, rng) {
    const spans = sections(new Uint8Array(bytes)).filter((span) => span.end > span.bodyStart)
    if (spans.length === 0) return bytes
    const span = rng.pick(spans)
    const body = bytes.slice(span.bodyStart, span.end)
    let at = rng.int(body.length)
    while (at > 0 && (body[at - 1]! & 0x80) !== 0) at--
    let length = 1
    while (at + length <= body.length && (body[at + length - 1]! & 0x80) !== 0) length++
    body.splice(at, length, ...u32(rng.pick(HUGE_COUNTS)))
    return withSection(bytes, span, body)
  },
  /** A huge count in place of a section's own leading count (entries, segments, bodies). */
  sectionCount(bytes, rng) {
    const spans = sections(new Uint8Array(bytes)).filter((span) => span.id !== 0 && span.end > span.bodyStart)
    if (spans.length === 0) return bytes
    const span = rng.pick(spans)
    const body = bytes.slice(span.bodyStart, span.end)
    let length = 1
    while (length < body.length && (body[length - 1]! & 0x80) !== 0) length++
    body.splice(0, length, ...u32(rng.pick(HUGE_COUNTS)))
    return withSection(bytes, span, body)
  },
  insert(bytes, rng) {
    const at = 8 + rng.int(Math.max(1, bytes.length - 7))
    bytes.splice(at, 0, ...Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)))
    return bytes
  },
  deleteRange(bytes, rng) {
    const at = 8 + rng.int(Math.max(1, bytes.length - 8))
    bytes.splice(at, 1 + rng.int(32))
    return bytes
  },
  duplicateRange(bytes, rng) {
    const at = 8 + rng.int(Math.max(1, bytes.length - 8))
    const range = bytes.slice(at, at + 1 + rng.int(64))
    bytes.splice(at + rng.int(range.length + 1), 0, ...range)
    return bytes
  },
  truncate(bytes, rng) {
    return bytes.slice(0, 8 + rng.int(Math.max(1, bytes.length - 8)))
  },
  /** Sections swapped, dropped or repeated: order and uniqueness rules. */
  shuffleSections(bytes, rng) {
    const spans = sections(new Uint8Array(bytes))
    if (spans.length < 2) return bytes
    const pieces = spans.map((span) => bytes.slice(span.start, span.end))
    const i = rng.int(pieces.length)
    const j = rng.int(pieces.length)
    const action = rng.int(3)
    if (action === 0) [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!]
    else if (action === 1) pieces.splice(i, 1)
    else pieces.splice(j, 0, pieces[i]!)
    return [...bytes.slice(0, 8), ...pieces.flat(), ...bytes.slice(spans.at(-1)!.end)]
  },
  /** A section of another module in place of this one's section with the same id. */
  foreignSection(bytes, rng, donors) {
    const donor = rng.pick(donors)
    const theirs = sections(donor).filter((span) => span.id !== 0)
    if (theirs.length === 0) return bytes
    const graft = rng.pick(theirs)
    const ours = sections(new Uint8Array(bytes)).find((span) => span.id === graft.id)
    const piece = [...donor.subarray(graft.start, graft.end)]
    if (!ours) return [...bytes, ...piece]
    return [...bytes.slice(0, ours.start), ...piece, ...bytes.slice(ours.end)]
  },
  /** A section size one to three bytes off, the rest left as it was. */
  wrongSize(bytes, rng) {
    const spans = sections(new Uint8Array(bytes))
    if (spans.length === 0) return bytes
    const span = rng.pick(spans)
    const size = Math.max(0, span.end - span.bodyStart + rng.pick([-3, -2, -1, 1, 2, 3]))
    return [...bytes.slice(0, span.sizeAt), ...u32(size), ...bytes.slice(span.sizeAt + span.sizeBytes)]
  },
  customSection(bytes, rng) {
    const body = Array.from({ length: rng.int(24) }, () =>
      rng.pick([0, 1, 2, 0x2b, 0x7f, 0x80, 0xff, rng.int(256)]),
    )
    return [...bytes, ...customSection(rng.pick(CUSTOM_NAMES), body)]
  },
}

const NAMES = Object.keys(MUTATIONS)

/** One to three mutations of `input`; returns the bytes and the names of the mutations applied. */
export function mutate(
  input: Uint8Array,
  rng: Rng,
  donors: readonly Uint8Array[],
): { bytes: Uint8Array<ArrayBuffer>; applied: string[] } {
  let bytes = [...input]
  const applied: string[] = []
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const name = rng.pick(NAMES)
    bytes = MUTATIONS[name]!(bytes, rng, donors)
    applied.push(name)
  }
  return { bytes: new Uint8Array(bytes), applied }
}

/**
 * Not random: each non-custom section's leading count replaced by `count` in turn, one input per section (the
 * shape of the 843-byte file that kept Binaryen busy for ~100 s: a data section claiming 268 million segments).
 */
export function sectionCountSweep(
  input: Uint8Array,
  count = 0x0fffffff,
): { bytes: Uint8Array<ArrayBuffer>; id: number }[] {
  return sections(input)
    .filter((span) => span.id !== 0 && span.end > span.bodyStart)
    .map((span) => {
      const bytes = [...input]
      const body = bytes.slice(span.bodyStart, span.end)
      let length = 1
      while (length < body.length && (body[length - 1]! & 0x80) !== 0) length++
      body.splice(0, length, ...u32(count))
      return { bytes: new Uint8Array(withSection(bytes, span, body)), id: span.id }
    })
}
