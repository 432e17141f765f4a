/**
 * A name section with only function names, for outputs that would have none: a stripped input (Binaryen names
 * its functions by index and writes no names for them), or `keepNames` off. Profile builds use it to name the
 * function of a pause the profile did not expect, record builds to name their frames; the names are Binaryen's
 * names of the input's functions, exactly what `onlyList` accepts.
 */

import { sectionSpans, withoutRanges } from '../wasm-section-list.ts'
import type { Binaryen, BinaryenModule } from './api.ts'

const NAME_SECTION = 'name'
const FUNCTION_NAMES = 1

/**
 * Binaryen's names of the defined functions, by the index each gets in the emitted binary: its writer numbers
 * the imported functions first, then the defined ones, each in module order.
 */
export function definedFunctionIndexes(binaryen: Binaryen, mod: BinaryenModule): Map<number, string> {
  const imported: string[] = []
  const defined: string[] = []
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i))
    ;(info.module ? imported : defined).push(info.name)
  }
  return new Map(defined.map((name, i) => [imported.length + i, name]))
}

/** `bytes` with any name section replaced by one holding `names` (function index -> name). */
export function withFunctionNames(
  bytes: Uint8Array<ArrayBuffer>,
  names: Map<number, string>,
): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder()
  const entries: number[] = []
  const sorted = [...names].sort(([a], [b]) => a - b)
  for (const [index, name] of sorted) {
    const text = encoder.encode(name)
    entries.push(...leb(index), ...leb(text.length), ...text)
  }
  const subsection = [
    FUNCTION_NAMES,
    ...leb(leb(sorted.length).length + entries.length),
    ...leb(sorted.length),
  ]
  const sectionName = encoder.encode(NAME_SECTION)
  const payload = [...leb(sectionName.length), ...sectionName, ...subsection, ...entries]
  const section = Uint8Array.from([0, ...leb(payload.length), ...payload])
  const kept = withoutRanges(
    bytes,
    sectionSpans(bytes).filter((span) => span.name === NAME_SECTION),
  )
  const out = new Uint8Array(kept.length + section.length)
  out.set(kept)
  out.set(section, kept.length)
  return out
}

/** Unsigned LEB128. */
function leb(value: number): number[] {
  const bytes: number[] = []
  do {
    let byte = value & 0x7f
    value = Math.floor(value / 128)
    if (value > 0) byte |= 0x80
    bytes.push(byte)
  } while (value > 0)
  return bytes
}
