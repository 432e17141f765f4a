/**
 * A byte-level look at a .wasm file, done before Binaryen sees it, in one pass with constant memory:
 * - Binaryen aborts or answers with a generic parse error on bytes that are not wasm or are cut short;
 * - Binaryen allocates for the counts a module declares before reading what they count: an 843-byte file that
 *   claims 268 million data segments kept it busy for ~100 s and ~4 GB. Every count here must fit in the bytes
 *   that remain and stay within the limits engines enforce (the JS API's), so such files fail in microseconds;
 * - a malformed `name`, `target_features`, `dylink.0` or `dylink` custom section makes Binaryen reject a module
 *   engines accept (they ignore custom sections): those sections are reported, to be dropped with a warning;
 * - whether a name section with function names exists (add/remove/only lists need one).
 * Encodings it does not know (newer proposals) are left to Binaryen: the rest of that section is skipped.
 */

import { TransformFailure } from './errors.ts'
import { CUSTOM_CHECKS, readFunctionNameMap } from './wasm-custom-sections.ts'
import { LIMITS, Malformed, Reader, Unknown } from './wasm-reader.ts'

export const NOT_WASM_FIX = 'Import a .wasm binary (compile .wat text first, e.g. with wasm-as or wabt)'
export const INVALID_FIX = 'Rebuild the .wasm; the file may be truncated or produced by a broken toolchain'

export interface WasmSectionsInfo {
  /** A valid `name` custom section with a function-names subsection: add/remove/only lists can match. */
  hasFunctionNames: boolean
  /** Custom sections Binaryen would reject, in file order; `withoutRanges` drops them. */
  brokenCustomSections: BrokenCustomSection[]
  /** The export section's entries, names exactly as in the file. */
  exports: WasmExport[]
}

export interface BrokenCustomSection {
  name: string
  /** Byte range of the whole section, header included. */
  start: number
  end: number
  reason: string
}

export interface WasmExport {
  name: string
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag'
}

export type SectionsProblem = { kind: 'not-wasm'; detail: string } | { kind: 'invalid'; detail: string }

const MAGIC = [0x00, 0x61, 0x73, 0x6d]
const CUSTOM_SECTION = 0

/** Non-custom sections by id, in the order the spec requires (tag, 13, sits between memory and global). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11]
const SECTION_NAMES: Record<number, string> = {
  1: 'type',
  2: 'import',
  3: 'function',
  4: 'table',
  5: 'memory',
  6: 'global',
  7: 'export',
  8: 'start',
  9: 'element',
  10: 'code',
  11: 'data',
  12: 'data count',
  13: 'tag',
}
const EXPORT_KINDS: WasmExport['kind'][] = ['function', 'table', 'memory', 'global', 'tag']

/** Walk the sections; returns the facts or the first problem found. */
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
  if (bytes.length > LIMITS.moduleBytes) {
    return { kind: 'invalid', detail: `the file has ${bytes.length} bytes, engines accept at most 1 GiB` }
  }
  const module = new ModuleReader()
  let offset = 8
  while (offset < bytes.length) {
    const start = offset
    const id = bytes[offset++]!
    const header = new Reader(bytes, offset, bytes.length)
    let size: number
    try {
      size = header.u32()
    } catch {
      return { kind: 'invalid', detail: `the file is truncated (section header at byte ${start})` }
    }
    offset = header.offset
    const end = offset + size
    if (end > bytes.length) {
      return {
        kind: 'invalid',
        detail: `the file is truncated (section ${id} needs ${size} bytes, ${bytes.length - offset} left)`,
      }
    }
    try {
      module.section(id, new Reader(bytes, offset, end), start)
    } catch (error) {
      if (!(error instanceof Malformed)) throw error
      const what = id === CUSTOM_SECTION ? 'a custom section' : `the ${SECTION_NAMES[id] ?? id} section`
      return { kind: 'invalid', detail: `${what} is malformed (${error.message})` }
    }
    offset = end
  }
  try {
    return module.finish()
  } catch (error) {
    if (!(error instanceof Malformed)) throw error
    return { kind: 'invalid', detail: error.message }
  }
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
    const header = new Reader(bytes, offset, bytes.length)
    try {
      const size = header.u32()
      offset = header.offset + size
      const r = new Reader(bytes, header.offset, Math.min(offset, bytes.length))
      if (id === CUSTOM_SECTION && r.name() === 'name') readFunctionNameMap(r, names)
    } catch (error) {
      if (error instanceof Malformed) return names
      throw error
    }
  }
  return names
}

/** Per-module state across sections: order, function and data counts, and the facts `readSections` returns. */
class ModuleReader {
  private lastOrder = -1
  private importedFunctions = 0
  private definedFunctions: number | undefined
  private codeBodies: number | undefined
  private dataCount: number | undefined
  private dataSegments: number | undefined
  private readonly info: WasmSectionsInfo = { hasFunctionNames: false, brokenCustomSections: [], exports: [] }

  section(id: number, r: Reader, start: number): void {
    if (id === CUSTOM_SECTION) {
      this.custom(r, start)
      return
    }
    const order = SECTION_ORDER.indexOf(id)
    // Unknown ids may be newer proposals (Binaryen knows a strings section, 14): left to Binaryen.
    if (order === -1) return
    if (order <= this.lastOrder) {
      throw new Malformed(`it is out of order or repeated (section id ${id} at byte ${start})`)
    }
    this.lastOrder = order
    try {
      this.known(id, r)
    } catch (error) {
      if (!(error instanceof Unknown)) throw error
    }
  }

  finish(): WasmSectionsInfo {
    if ((this.definedFunctions ?? 0) !== (this.codeBodies ?? 0)) {
      throw new Malformed(
        `the function section declares ${this.definedFunctions ?? 0} functions, the code section has ${this.codeBodies ?? 0} bodies`,
      )
    }
    if (this.dataCount !== undefined && this.dataCount !== (this.dataSegments ?? 0)) {
      throw new Malformed(
        `the data count section says ${this.dataCount} segments, the data section has ${this.dataSegments ?? 0}`,
      )
    }
    return this.info
  }

  private known(id: number, r: Reader): void {
    switch (id) {
      case 1:
        for (let n = r.count('types', LIMITS.types); n > 0; n--) readRecOrSubType(r)
        break
      case 2:
        for (let n = r.count('imports', LIMITS.imports, 4); n > 0; n--) this.import(r)
        break
      case 3: {
        const count = r.count('functions', LIMITS.functions)
        if (count + this.importedFunctions > LIMITS.functions) {
          throw new Malformed(
            `${count + this.importedFunctions} functions, engines accept ${LIMITS.functions}`,
          )
        }
        this.definedFunctions = count
        for (let n = count; n > 0; n--) r.u32()
        break
      }
      case 4:
        for (let n = r.count('tables', LIMITS.tables, 2); n > 0; n--) readTable(r)
        break
      case 5:
        for (let n = r.count('memories', LIMITS.tables, 2); n > 0; n--) readLimits(r)
        break
      case 13:
        for (let n = r.count('tags', LIMITS.tags, 2); n > 0; n--) {
          r.byte()
          r.u32()
        }
        break
      case 6:
        for (let n = r.count('globals', LIMITS.globals, 3); n > 0; n--) {
          readValType(r)
          r.byte()
          readConstExpr(r)
        }
        break
      case 7:
        for (let n = r.count('exports', LIMITS.exports, 3); n > 0; n--) {
          const name = r.name()
          const kind = EXPORT_KINDS[r.byte()]
          r.u32()
          if (!kind) throw new Unknown()
          this.info.exports.push({ name, kind })
        }
        break
      case 8:
        r.u32()
        break
      case 9:
        for (let n = r.count('element segments', LIMITS.elementSegments, 2); n > 0; n--) readElement(r)
        break
      case 12:
        this.dataCount = r.u32()
        if (this.dataCount > LIMITS.dataSegments) {
          throw new Malformed(
            `${this.dataCount} data segments declared, engines accept ${LIMITS.dataSegments}`,
          )
        }
        break
      case 10:
        this.codeBodies = r.count('function bodies', LIMITS.functions, 2)
        for (let n = this.codeBodies; n > 0; n--) readBody(r)
        break
      case 11:
        this.dataSegments = r.count('data segments', LIMITS.dataSegments, 2)
        for (let n = this.dataSegments; n > 0; n--) readData(r)
        break
    }
    r.expectEnd(`${SECTION_NAMES[id]} section`)
  }

  private import(r: Reader): void {
    r.name()
    r.name()
    switch (r.byte()) {
      case 0:
        r.u32()
        this.importedFunctions++
        break
      case 1:
        readValType(r)
        readLimits(r)
        break
      case 2:
        readLimits(r)
        break
      case 3:
        readValType(r)
        r.byte()
        break
      case 4:
        r.byte()
        r.u32()
        break
      default:
        throw new Unknown()
    }
  }

  /** A custom section's name must be UTF-8 (engines check); the contents matter only for those Binaryen reads. */
  private custom(r: Reader, start: number): void {
    const name = r.name()
    const check = CUSTOM_CHECKS[name]
    if (!check) return
    try {
      const facts = check(r)
      if (facts.functionNames) this.info.hasFunctionNames = true
    } catch (error) {
      if (!(error instanceof Malformed || error instanceof Unknown)) throw error
      const reason = error instanceof Malformed ? error.message : 'an encoding Binaryen cannot read'
      this.info.brokenCustomSections.push({ name, start, end: r.end, reason })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Types, limits, expressions
// ---------------------------------------------------------------------------------------------

function readRecOrSubType(r: Reader): void {
  if (r.bytes[r.offset] === 0x4e) {
    r.byte()
    for (let n = r.count('types in a recursion group', LIMITS.types); n > 0; n--) readSubType(r)
  } else {
    readSubType(r)
  }
}

function readSubType(r: Reader): void {
  const form = r.byte()
  if (form === 0x50 || form === 0x4f) {
    for (let n = r.count('supertypes', LIMITS.types); n > 0; n--) r.u32()
    readCompositeType(r, r.byte())
  } else {
    readCompositeType(r, form)
  }
}

function readCompositeType(r: Reader, form: number): void {
  switch (form) {
    case 0x60:
      for (let n = r.count('parameters', LIMITS.params); n > 0; n--) readValType(r)
      for (let n = r.count('results', LIMITS.results); n > 0; n--) readValType(r)
      return
    case 0x5f:
      for (let n = r.count('struct fields', LIMITS.structFields, 2); n > 0; n--) {
        readValType(r)
        r.byte()
      }
      return
    case 0x5e:
      readValType(r)
      r.byte()
      return
    default:
      throw new Unknown()
  }
}

/**
 * A value or storage type: one byte, or `(ref null? ht)` with its heap type as a signed LEB, after the prefixes
 * of newer proposals (0x62 exact, 0x65 shared).
 */
function readValType(r: Reader): void {
  const byte = r.byte()
  if (byte === 0x63 || byte === 0x64) {
    while (r.bytes[r.offset] === 0x62 || r.bytes[r.offset] === 0x65) r.byte()
    r.skipLeb(5)
  } else if (byte < 0x40 || byte > 0x7f) {
    throw new Unknown()
  }
}

/** Flags, then min (and max) as u32 or, for memory64, u64, then a custom page size's log2. */
function readLimits(r: Reader): void {
  const flags = r.byte()
  if (flags > 0x0f) throw new Unknown()
  const width = flags & 0x04 ? 10 : 5
  r.skipLeb(width)
  if (flags & 0x01) r.skipLeb(width)
  if (flags & 0x08) r.u32()
}

function readTable(r: Reader): void {
  if (r.bytes[r.offset] === 0x40) {
    r.byte()
    if (r.byte() !== 0x00) throw new Unknown()
    readValType(r)
    readLimits(r)
    readConstExpr(r)
  } else {
    readValType(r)
    readLimits(r)
  }
}

/** Constant expressions up to their `end`: the MVP, extended-const, SIMD and GC constants. */
function readConstExpr(r: Reader): void {
  for (;;) {
    const op = r.byte()
    switch (op) {
      case 0x0b:
        return
      case 0x41:
        r.skipLeb(5)
        break
      case 0x42:
        r.skipLeb(10)
        break
      case 0x43:
        r.skip(4)
        break
      case 0x44:
        r.skip(8)
        break
      case 0x23:
      case 0xd2:
        r.u32()
        break
      case 0xd0:
        r.skipLeb(5)
        break
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break
      case 0xfd:
        if (r.u32() !== 12) throw new Unknown()
        r.skip(16)
        break
      case 0xfb:
        readGcConstant(r)
        break
      default:
        throw new Unknown()
    }
  }
}

function readGcConstant(r: Reader): void {
  const op = r.u32()
  if (op === 0 || op === 1 || op === 6 || op === 7) r.u32()
  else if (op === 8) {
    r.u32()
    r.u32()
  } else if (op !== 0x1a && op !== 0x1b && op !== 0x1c) throw new Unknown()
}

// ---------------------------------------------------------------------------------------------
// Element, code and data entries
// ---------------------------------------------------------------------------------------------

function readElement(r: Reader): void {
  const flags = r.u32()
  if (flags > 7) throw new Unknown()
  const passiveOrDeclarative = (flags & 0x01) !== 0
  const explicitTable = (flags & 0x02) !== 0
  const expressions = (flags & 0x04) !== 0
  if (!passiveOrDeclarative && explicitTable) r.u32()
  if (!passiveOrDeclarative) readConstExpr(r)
  if (passiveOrDeclarative || explicitTable) {
    if (expressions) readValType(r)
    else r.byte()
  }
  if (expressions) {
    for (let n = r.count('element expressions', LIMITS.elementSegments); n > 0; n--) readConstExpr(r)
  } else {
    for (let n = r.count('element functions', LIMITS.functions); n > 0; n--) r.u32()
  }
}

/** Size, then local declarations (whose total engines cap): the instructions are skipped, not read. */
function readBody(r: Reader): void {
  const at = r.offset
  const size = r.u32()
  if (size > LIMITS.bodyBytes)
    throw new Malformed(`function body at byte ${at} has ${size} bytes, engines accept ${LIMITS.bodyBytes}`)
  if (size > r.remaining) throw new Malformed(`function body at byte ${at} runs past the code section`)
  const body = new Reader(r.bytes, r.offset, r.offset + size)
  r.skip(size)
  let locals = 0
  for (let n = body.count('local declarations', LIMITS.locals, 2); n > 0; n--) {
    locals += body.u32()
    if (locals > LIMITS.locals) {
      throw new Malformed(
        `function body at byte ${at} declares ${locals}+ locals, engines accept ${LIMITS.locals}`,
      )
    }
    try {
      readValType(body)
    } catch (error) {
      // An unknown local type stops the check of this body only.
      if (error instanceof Unknown) return
      throw error
    }
  }
}

function readData(r: Reader): void {
  const flags = r.u32()
  if (flags === 2) r.u32()
  if (flags === 0 || flags === 2) readConstExpr(r)
  else if (flags !== 1) throw new Unknown()
  const at = r.offset
  const length = r.u32()
  if (length > r.remaining) throw new Malformed(`data segment at byte ${at} runs past the data section`)
  r.skip(length)
}
