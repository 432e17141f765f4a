/**
 * The runtime finds each export by the name in the meta, so those names must be exactly the ones in the binary
 * it loads. Binaryen's C API hands names out as C strings: an export name holding a NUL (legal in wasm) reaches
 * the meta cut at the NUL, while the binary Binaryen writes keeps the whole name. This puts the whole names back,
 * read from the emitted bytes.
 */

import type { ExportMeta, MemoryMeta } from '@unplugin-asyncify/runtime'
import { isSectionsProblem, readSections } from './wasm-sections.ts'

/** The part of a meta this reads and rewrites. */
interface NamedMeta {
  exports: ExportMeta[]
  memory: MemoryMeta
}

/** `meta` with export names (and the memory's export name) as they are in `wasm`. */
export function restoreExportNames<M extends NamedMeta>(meta: M, wasm: Uint8Array): M {
  const sections = readSections(wasm)
  if (isSectionsProblem(sections) || !sections.exports.some((entry) => entry.name.includes('\0'))) return meta
  const binary = sections.exports
  // Both lists are in the binary's export order (the meta leaves some out): match the cut names in order.
  let next = 0
  const exports = meta.exports.map((entry) => {
    for (let i = next; i < binary.length; i++) {
      const candidate = binary[i]!
      if (candidate.kind === entry.kind && cutAtNul(candidate.name) === entry.name) {
        next = i + 1
        return candidate.name === entry.name ? entry : { ...entry, name: candidate.name }
      }
    }
    return entry
  })
  const memory = { ...meta.memory }
  const memoryName = memory.exportName
  if (memoryName !== undefined && !binary.some((entry) => entry.name === memoryName)) {
    const whole = binary.find((entry) => entry.kind === 'memory' && cutAtNul(entry.name) === memoryName)
    if (whole) memory.exportName = whole.name
  }
  return { ...meta, exports, memory }
}

function cutAtNul(name: string): string {
  const nul = name.indexOf('\0')
  return nul === -1 ? name : name.slice(0, nul)
}
