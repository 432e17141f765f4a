/**
 * The custom sections Binaryen reads, and rejects the whole module for when they are malformed, although engines
 * ignore every custom section: `name`, `target_features`, `dylink.0` and `dylink`. Each check reads its section
 * the way Binaryen does (exactly, unknown subsections skipped) and throws `Malformed` where Binaryen would fail.
 */

import { LIMITS, Malformed, Reader } from './wasm-reader.ts'

export interface CustomFacts {
  functionNames?: boolean
}

/** Per section name, the check; sections not listed are never looked into. */
export const CUSTOM_CHECKS: Record<string, (r: Reader) => CustomFacts> = {
  name: readNameSection,
  target_features: (r) => {
    for (let n = r.count('features', LIMITS.exports, 2); n > 0; n--) {
      const prefix = r.byte()
      // `+` used, `-` disallowed; Binaryen refuses any other prefix.
      if (prefix !== 0x2b && prefix !== 0x2d) throw new Malformed(`feature prefix 0x${prefix.toString(16)}`)
      r.name()
    }
    r.expectEnd('features')
    return {}
  },
  'dylink.0': (r) => {
    while (r.remaining > 0) {
      const id = r.byte()
      const sub = subsection(r)
      if (id === 1) {
        for (let i = 0; i < 4; i++) sub.u32()
        sub.expectEnd('memory info')
      } else if (id === 2) {
        for (let n = sub.count('needed libraries', LIMITS.imports); n > 0; n--) sub.name()
        sub.expectEnd('needed libraries')
      }
    }
    return {}
  },
  dylink: (r) => {
    for (let i = 0; i < 4; i++) r.u32()
    for (let n = r.count('needed libraries', LIMITS.imports); n > 0; n--) r.name()
    r.expectEnd('needed libraries')
    return {}
  },
}

/** The subsections Binaryen knows, read exactly (unknown ids are skipped, as Binaryen does). */
function readNameSection(r: Reader): CustomFacts {
  let functionNames = false
  while (r.remaining > 0) {
    const id = r.byte()
    const sub = subsection(r)
    if (id === 0) {
      sub.name()
    } else if (id === 2 || id === 10) {
      for (let n = sub.count('indirect names', LIMITS.functions, 2); n > 0; n--) {
        sub.u32()
        readNameMap(sub)
      }
    } else if ([1, 4, 5, 6, 7, 8, 9, 11].includes(id)) {
      const count = readNameMap(sub)
      if (id === 1 && count > 0) functionNames = true
    } else {
      continue
    }
    sub.expectEnd(`name subsection ${id}`)
  }
  return { functionNames }
}

function readNameMap(r: Reader): number {
  const count = r.count('names', LIMITS.functions, 2)
  for (let n = count; n > 0; n--) {
    r.u32()
    r.name()
  }
  return count
}

/** A size-prefixed subsection: returns a reader over it and moves `r` past it. */
function subsection(r: Reader): Reader {
  const at = r.offset
  const size = r.u32()
  if (size > r.remaining) throw new Malformed(`subsection at byte ${at} runs past its section`)
  const sub = new Reader(r.bytes, r.offset, r.offset + size)
  r.skip(size)
  return sub
}

/** Push the names of the function-names subsection (id 1) of a `name` section body to `names`. */
export function readFunctionNameMap(r: Reader, names: string[]): void {
  while (r.remaining > 0) {
    const id = r.byte()
    const sub = subsection(r)
    if (id !== 1) continue
    for (let n = sub.count('names', LIMITS.functions, 2); n > 0; n--) {
      sub.u32()
      names.push(sub.name())
    }
    return
  }
}
