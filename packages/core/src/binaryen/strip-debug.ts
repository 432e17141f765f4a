/**
 * Removing DWARF from an output binary. Binaryen copies `.debug_*` custom sections byte for byte unless it
 * reads and rewrites DWARF itself, which its optimizer does not keep accurate; after the Asyncify pass the
 * line info would point at the wrong code. Dropping it is the honest choice (the name section stays when
 * `keepNames` asks for it).
 */
import { sectionSpans, withoutRanges } from '../wasm-section-list.ts'

/** The bytes without `.debug_*` custom sections, and what was removed. `bytes` is a valid module. */
export function stripDebugSections(bytes: Uint8Array<ArrayBuffer>): {
  bytes: Uint8Array<ArrayBuffer>
  removed: number
  removedBytes: number
} {
  const debug = sectionSpans(bytes).filter((span) => span.name?.startsWith('.debug_'))
  if (debug.length === 0) return { bytes, removed: 0, removedBytes: 0 }
  const removedBytes = debug.reduce((sum, span) => sum + span.end - span.start, 0)
  return { bytes: withoutRanges(bytes, debug), removed: debug.length, removedBytes }
}
