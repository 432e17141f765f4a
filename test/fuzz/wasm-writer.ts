// A small WebAssembly binary writer for the hostile-input tests and the fuzzers: modules with any names (NUL,
// U+2028, `__proto__`), any custom section bytes and any declared counts, none of which a text format or a
// toolchain would let through.

export const I32 = 0x7f
export const I64 = 0x7e
export const F32 = 0x7d
export const F64 = 0x7c
export const FUNCREF = 0x70

const KIND = { function: 0, table: 1, memory: 2, global: 3 } as const

export type Bytes = number[]

export interface FuncType {
  params: number[]
  results: number[]
}

export type Import =
  | { module: string; name: string; kind: 'function'; type: number }
  | { module: string; name: string; kind: 'memory'; min: number; max?: number }
  | { module: string; name: string; kind: 'global'; type: number; mutable?: boolean }
  | { module: string; name: string; kind: 'table'; min: number; max?: number }

export interface Func {
  type: number
  locals?: number[]
  /** Instructions without the final `end`. */
  body: Bytes
}

export interface ModuleSpec {
  types?: FuncType[]
  imports?: Import[]
  functions?: Func[]
  tables?: { min: number; max?: number }[]
  memories?: { min: number; max?: number }[]
  globals?: { type: number; mutable?: boolean; init: Bytes }[]
  exports?: { name: string; kind: keyof typeof KIND; index: number }[]
  start?: number
  elements?: { offset: number; functions: number[] }[]
  datas?: { offset: number; bytes: Iterable<number> }[]
  customs?: { name: string; body: Bytes }[]
}

/** Unsigned LEB128. */
export function u32(value: number): Bytes {
  const out: Bytes = []
  let rest = value
  do {
    let byte = rest % 128
    rest = Math.floor(rest / 128)
    if (rest > 0) byte |= 0x80
    out.push(byte)
  } while (rest > 0)
  return out
}

/** Signed LEB128 of a Number (i32) or a BigInt (i64). */
export function sleb(value: number | bigint): Bytes {
  let rest = BigInt(value)
  const out: Bytes = []
  for (;;) {
    const byte = Number(rest & 0x7fn)
    rest >>= 7n
    const done = (rest === 0n && (byte & 0x40) === 0) || (rest === -1n && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

/** A length-prefixed UTF-8 name. */
export function name(text: string): Bytes {
  const bytes = [...new TextEncoder().encode(text)]
  return [...u32(bytes.length), ...bytes]
}

export function vector(items: Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()]
}

export function section(id: number, body: Bytes): Bytes {
  return [id, ...u32(body.length), ...body]
}

export function customSection(sectionName: string, body: Bytes): Bytes {
  return section(0, [...name(sectionName), ...body])
}

const limits = ({ min, max }: { min: number; max?: number }): Bytes =>
  max === undefined ? [0, ...u32(min)] : [1, ...u32(min), ...u32(max)]

/** Consecutive locals of one type share a declaration. */
function localGroups(locals: number[]): Bytes[] {
  const groups: [number, number][] = []
  for (const type of locals) {
    const last = groups.at(-1)
    if (last && last[1] === type) last[0]++
    else groups.push([1, type])
  }
  return groups.map(([count, type]) => [...u32(count), type])
}

/**
 * Encode a module from a plain description. Function bodies and init expressions are instruction bytes without
 * their final `end`. `customs` are appended after the known sections, in order.
 */
export function encodeModule({
  types = [],
  imports = [],
  functions = [],
  tables = [],
  memories = [],
  globals = [],
  exports = [],
  start,
  elements = [],
  datas = [],
  customs = [],
}: ModuleSpec): Uint8Array<ArrayBuffer> {
  const sections: Bytes[] = []
  const add = <T>(id: number, items: T[], encode: (item: T) => Bytes) => {
    if (items.length > 0) sections.push(section(id, vector(items.map(encode))))
  }
  add(1, types, (type) => [
    0x60,
    ...vector(type.params.map((t) => [t])),
    ...vector(type.results.map((t) => [t])),
  ])
  add(2, imports, (entry) => {
    const head = [...name(entry.module), ...name(entry.name), KIND[entry.kind]]
    if (entry.kind === 'function') return [...head, ...u32(entry.type)]
    if (entry.kind === 'memory') return [...head, ...limits(entry)]
    if (entry.kind === 'global') return [...head, entry.type, entry.mutable ? 1 : 0]
    return [...head, FUNCREF, ...limits(entry)]
  })
  add(3, functions, (fn) => u32(fn.type))
  add(4, tables, (table) => [FUNCREF, ...limits(table)])
  add(5, memories, limits)
  add(6, globals, (global) => [global.type, global.mutable ? 1 : 0, ...global.init, 0x0b])
  add(7, exports, (entry) => [...name(entry.name), KIND[entry.kind], ...u32(entry.index)])
  if (start !== undefined) sections.push(section(8, u32(start)))
  add(9, elements, (element) => [
    0,
    0x41,
    ...sleb(element.offset),
    0x0b,
    ...vector(element.functions.map(u32)),
  ])
  add(10, functions, (fn) => {
    const body = [...vector(localGroups(fn.locals ?? [])), ...fn.body, 0x0b]
    return [...u32(body.length), ...body]
  })
  add(11, datas, (data) => [0, 0x41, ...sleb(data.offset), 0x0b, ...vector([...data.bytes].map((b) => [b]))])
  for (const custom of customs) sections.push(customSection(custom.name, custom.body))
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()])
}
