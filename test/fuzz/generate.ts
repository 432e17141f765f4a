// A seeded generator of random, valid, always-terminating wasm modules for the differential fuzz test: numeric
// code over i32/i64/f64 (arithmetic, comparisons, conversions, select, if/else, bounded loops, blocks with
// br_if), linear memory loads and stores, globals, direct calls, call_indirect through a table, calls to host
// imports, which the asyncified run lets pause, and the occasional trap (division, `unreachable`). Every function starts by spending one unit of a `fuel`
// global (set by the exported `refuel`) and returns a constant once it is empty, so any call graph ends.

import { encodeModule, F64, type Func, I32, I64, type Import, sleb, u32 } from './wasm-writer.ts'

export type ValType = 'i32' | 'i64' | 'f64'

export interface Signature {
  params: ValType[]
  result?: ValType
}

export interface GeneratedModule {
  bytes: Uint8Array<ArrayBuffer>
  /** Host functions, all in module `env`, in import order. */
  imports: (Signature & { name: string })[]
  /** Exported functions that may be called (besides `refuel`). */
  exports: (Signature & { name: string })[]
  /** The value `refuel()` sets the fuel to. */
  fuel: number
}

const CODE: Record<ValType, number> = { i32: I32, i64: I64, f64: F64 }
const TYPES: ValType[] = ['i32', 'i64', 'f64']

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class Rng {
  readonly next: () => number
  constructor(seed: number) {
    this.next = random(seed)
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
  i32(): number {
    return this.pick([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), this.int(256), this.int(2 ** 32) | 0])
  }
  i64(): bigint {
    return this.pick([
      0n,
      1n,
      -1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      BigInt(this.int(1000)),
      BigInt(this.i32()) << 17n,
    ])
  }
  f64(): number {
    return this.pick([0, -0, 1.5, -2.25, 1e300, 2 ** 53 + 1, this.next() * 1000 - 500])
  }
}

const FUEL_GLOBAL = 0
const FUEL = 400
/** Loads and stores stay in the first 64 KiB (the memory has one page; Asyncify's buffer lives beyond it). */
const ADDRESS_MASK = 0xfff8

interface FunctionPlan extends Signature {
  index: number
}

interface Body {
  fn: FunctionPlan
  /** Local index -> type: params first, then the declared locals. */
  locals: ValType[]
  /** i32 locals reserved as loop counters, one per loop nesting level. */
  counters: number[]
  loopDepth: number
  /**
   * Locals declared after the counters, each set once to a small expression of the params (sometimes under an
   * if) and stored to memory twice: loop invariants as clang hoists them, which a fast copy's unwind helpers
   * compute instead of receiving when they can (packages/core/src/binaryen/recomputed-saves.ts).
   */
  invariants: { index: number; type: 'i32' | 'i64' }[]
}

/** Generate the module for `seed`: the same seed always gives the same bytes. */
export function generateModule(seed: number): GeneratedModule {
  const rng = new Rng(seed)
  const signature = (): Signature => {
    const params = Array.from({ length: rng.int(3) }, () => rng.pick(TYPES))
    return rng.chance(0.8) ? { params, result: rng.pick(TYPES) } : { params }
  }
  const imports = Array.from({ length: 1 + rng.int(3) }, (_, i) => ({ name: `h${i}`, ...signature() }))
  const definedCount = 2 + rng.int(6)
  const defined: FunctionPlan[] = Array.from({ length: definedCount }, (_, i) => ({
    index: imports.length + i,
    ...signature(),
  }))
  const globals: ValType[] = ['i32', ...Array.from({ length: 1 + rng.int(3) }, () => rng.pick(TYPES))]

  // call_indirect targets: the last functions that share the first defined function's signature; only
  // functions before all of them may call through the table, so calls always go "down" the list.
  const tableSig = defined[0]!
  const sameSig = (plan: FunctionPlan) =>
    plan.result === tableSig.result && plan.params.join() === tableSig.params.join()
  const table = defined.filter((plan, i) => i > 0 && sameSig(plan))

  const typeKeys: string[] = []
  const typeIndex = (sig: Signature) => {
    const key = `${sig.params.join(',')}->${sig.result ?? ''}`
    if (!typeKeys.includes(key)) typeKeys.push(key)
    return typeKeys.indexOf(key)
  }
  const tableType = typeIndex(tableSig)

  const importSpecs: Import[] = imports.map((imp) => ({
    module: 'env',
    name: imp.name,
    kind: 'function',
    type: typeIndex(imp),
  }))
  // the invariants draw from their own sequence, so that the rest of each seed's module stays as it was
  const side = new Rng(seed ^ 0x68e31da4)
  const bodies: Func[] = defined.map((fn) => {
    const locals = Array.from({ length: rng.int(4) }, () => rng.pick(TYPES))
    const counterBase = fn.params.length + locals.length
    const invariants = Array.from({ length: side.int(3) }, (_, i) => ({
      index: counterBase + 2 + i,
      type: side.pick(['i32', 'i64'] as const),
    }))
    const body: Body = {
      fn,
      locals: [...fn.params, ...locals, 'i32', 'i32'],
      counters: [counterBase, counterBase + 1],
      loopDepth: 0,
      invariants,
    }
    const gen = new BodyGenerator(rng, side, body, {
      imports,
      defined,
      globals,
      table:
        table[0] && table.every((target) => target.index > fn.index)
          ? { sig: tableSig, type: tableType, size: table.length }
          : undefined,
    })
    return {
      type: typeIndex(fn),
      locals: [...locals.map((t) => CODE[t]), I32, I32, ...invariants.map((inv) => CODE[inv.type])],
      body: gen.function(),
    }
  })
  const refuel: Func = {
    type: typeIndex({ params: [] }),
    body: [0x41, ...sleb(FUEL), 0x24, ...u32(FUEL_GLOBAL)],
  }

  const types = typeKeys.map((key) => {
    const [params, result] = key.split('->') as [string, string]
    return {
      params: params ? params.split(',').map((t) => CODE[t as ValType]) : [],
      results: result ? [CODE[result as ValType]] : [],
    }
  })
  const exports = defined.map((fn, i) => ({ name: `f${i}`, params: fn.params, result: fn.result }))
  const data = Array.from({ length: 64 }, () => rng.int(256))
  const bytes = encodeModule({
    types,
    imports: importSpecs,
    functions: [...bodies, refuel],
    tables: table.length > 0 ? [{ min: table.length, max: table.length }] : [],
    memories: [{ min: 1 }],
    globals: globals.map((type, i) => ({
      type: CODE[type],
      mutable: true,
      init: i === FUEL_GLOBAL ? [0x41, ...sleb(FUEL)] : constant(rng, type),
    })),
    exports: [
      ...exports.map((entry, i) => ({
        name: entry.name,
        kind: 'function' as const,
        index: defined[i]!.index,
      })),
      { name: 'refuel', kind: 'function', index: imports.length + defined.length },
      { name: 'memory', kind: 'memory', index: 0 },
    ],
    elements: table.length > 0 ? [{ offset: 0, functions: table.map((plan) => plan.index) }] : [],
    datas: [{ offset: rng.int(1024), bytes: data }],
  })
  return { bytes, imports, exports, fuel: FUEL }
}

function constant(rng: Rng, type: ValType): number[] {
  if (type === 'i32') return [0x41, ...sleb(rng.i32())]
  if (type === 'i64') return [0x42, ...sleb(rng.i64())]
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setFloat64(0, rng.f64(), true)
  return [0x44, ...bytes]
}

interface ModuleView {
  imports: (Signature & { name: string })[]
  defined: FunctionPlan[]
  globals: ValType[]
  table: { sig: Signature; type: number; size: number } | undefined
}

class BodyGenerator {
  private readonly rng: Rng
  /** Draws for the invariants only. */
  private readonly side: Rng
  private readonly body: Body
  private readonly module: ModuleView
  constructor(rng: Rng, side: Rng, body: Body, module: ModuleView) {
    this.rng = rng
    this.side = side
    this.body = body
    this.module = module
  }

  function(): number[] {
    const { fn } = this.body
    const fallback = fn.result ? constant(this.rng, fn.result) : []
    const out = [
      // if (fuel == 0) return <constant>; fuel -= 1
      0x23,
      ...u32(FUEL_GLOBAL),
      0x45,
      0x04,
      0x40,
      ...fallback,
      0x0f,
      0x0b,
      0x23,
      ...u32(FUEL_GLOBAL),
      0x41,
      1,
      0x6b,
      0x24,
      ...u32(FUEL_GLOBAL),
    ]
    for (const invariant of this.body.invariants) out.push(...this.invariantSet(invariant))
    const count = 1 + this.rng.int(5)
    const firstUse = this.side.int(count)
    for (let i = 0; i < count; i++) {
      out.push(...this.statement(0))
      if (i === firstUse) out.push(...this.invariantUses())
    }
    out.push(...this.invariantUses())
    if (fn.result) out.push(...this.expr(fn.result, 0))
    return out
  }

  /** `local.set $invariant (param op param-or-constant)`, under `if (a memory word)` three times in ten. */
  private invariantSet({ index, type }: Body['invariants'][number]): number[] {
    const side = this.side
    const params = this.body.fn.params.flatMap((t, i) => (t === 'i32' || t === 'i64' ? [{ t, i }] : []))
    const operand = (): number[] => {
      if (params.length === 0 || side.chance(0.2)) return constant(side, type)
      const { t, i } = side.pick(params)
      const read = [0x20, ...u32(i)]
      if (t === type) return read
      return type === 'i32' ? [...read, 0xa7] : [...read, side.pick([0xac, 0xad])]
    }
    const ops =
      type === 'i32'
        ? [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76]
        : [0x7c, 0x7d, 0x7e, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88]
    const set = [...operand(), ...operand(), side.pick(ops), 0x21, ...u32(index)]
    if (!side.chance(0.3)) return set
    return [0x41, ...sleb(side.int(1024) & ~3), 0x28, 0x02, 0x00, 0x04, 0x40, ...set, 0x0b]
  }

  /** Each invariant stored at its own address (a use after the pauses before it). */
  private invariantUses(): number[] {
    return this.body.invariants.flatMap(({ index, type }, i) => [
      0x41,
      ...sleb(0x8000 + 8 * i),
      0x20,
      ...u32(index),
      ...(type === 'i32' ? [0x36, 0x02, 0x00] : [0x37, 0x03, 0x00]),
    ])
  }

  /** Functions this one may call directly: the ones after it (a DAG), and every import. */
  private callees(): (Signature & { index: number })[] {
    return [
      ...this.module.imports.map((imp, index) => ({ ...imp, index })),
      ...this.module.defined.filter((plan) => plan.index > this.body.fn.index),
    ]
  }

  private call(target: Signature & { index: number }, depth: number): number[] {
    return [...target.params.flatMap((type) => this.expr(type, depth + 1)), 0x10, ...u32(target.index)]
  }

  private callIndirect(depth: number): number[] {
    const table = this.module.table!
    return [
      ...table.sig.params.flatMap((type) => this.expr(type, depth + 1)),
      ...this.expr('i32', depth + 1),
      0x41,
      ...sleb(table.size),
      0x70, // i32.rem_u: always inside the table
      0x11,
      ...u32(table.type),
      0x00,
    ]
  }

  private localsOf(type: ValType): number[] {
    return this.body.locals.flatMap((t, i) => (t === type && !this.body.counters.includes(i) ? [i] : []))
  }

  private address(depth: number): number[] {
    return [...this.expr('i32', depth + 1), 0x41, ...sleb(ADDRESS_MASK), 0x71]
  }

  statement(depth: number): number[] {
    const rng = this.rng
    const choice = rng.int(depth > 2 ? 4 : 9)
    switch (choice) {
      case 0: {
        const type = rng.pick(TYPES)
        const locals = this.localsOf(type)
        if (locals.length > 0) return [...this.expr(type, depth), 0x21, ...u32(rng.pick(locals))]
        return this.statement(depth + 1)
      }
      case 1: {
        const index = 1 + rng.int(this.module.globals.length - 1)
        return [...this.expr(this.module.globals[index]!, depth), 0x24, ...u32(index)]
      }
      case 2:
        // Now and then a trap after the pauses before it: `if (x) unreachable`.
        if (rng.chance(0.02)) return [...this.expr('i32', depth), 0x04, 0x40, 0x00, 0x0b]
        return rng.chance(0.5)
          ? [...this.address(depth), ...this.expr('i32', depth), 0x36, 0x02, 0x00]
          : [...this.address(depth), ...this.expr('i64', depth), 0x37, 0x03, 0x00]
      case 3: {
        if (this.module.table && rng.chance(0.3)) {
          return [...this.callIndirect(depth), ...(this.module.table.sig.result ? [0x1a] : [])]
        }
        const target = rng.pick(this.callees())
        return [...this.call(target, depth), ...(target.result ? [0x1a] : [])]
      }
      case 4:
      case 5:
        return [
          ...this.expr('i32', depth),
          0x04,
          0x40,
          ...this.statements(depth + 1),
          0x05,
          ...this.statements(depth + 1),
          0x0b,
        ]
      case 6: {
        if (this.body.loopDepth >= this.body.counters.length) return this.statement(depth + 1)
        const counter = this.body.counters[this.body.loopDepth]!
        this.body.loopDepth++
        const inner = this.statements(depth + 1)
        this.body.loopDepth--
        return [
          0x41,
          1 + rng.int(3),
          0x21,
          ...u32(counter),
          0x03,
          0x40,
          ...inner,
          0x20,
          ...u32(counter),
          0x41,
          1,
          0x6b,
          0x22,
          ...u32(counter),
          0x0d,
          0x00,
          0x0b,
        ]
      }
      default:
        // block { stmts; br_if 0 (cond); stmts }
        return [
          0x02,
          0x40,
          ...this.statements(depth + 1),
          ...this.expr('i32', depth + 1),
          0x0d,
          0x00,
          ...this.statements(depth + 1),
          0x0b,
        ]
    }
  }

  private statements(depth: number): number[] {
    return Array.from({ length: this.rng.int(3) }, () => this.statement(depth)).flat()
  }

  expr(type: ValType, depth: number): number[] {
    const rng = this.rng
    if (depth > 4 || rng.chance(0.25)) return this.leaf(type)
    const callees = this.callees().filter((target) => target.result === type)
    const roll = rng.int(10)
    if (roll === 0 && callees.length > 0) return this.call(rng.pick(callees), depth)
    if (roll === 1 && this.module.table?.sig.result === type && rng.chance(0.5))
      return this.callIndirect(depth)
    if (roll === 2) {
      return [
        ...this.expr(type, depth + 1),
        ...this.expr(type, depth + 1),
        ...this.expr('i32', depth + 1),
        0x1b,
      ]
    }
    if (roll === 3) {
      return [
        ...this.expr('i32', depth + 1),
        0x04,
        CODE[type],
        ...this.expr(type, depth + 1),
        0x05,
        ...this.expr(type, depth + 1),
        0x0b,
      ]
    }
    if (roll === 4) {
      const locals = this.localsOf(type)
      if (locals.length > 0) return [...this.expr(type, depth + 1), 0x22, ...u32(rng.pick(locals))]
    }
    return this.operator(type, depth)
  }

  private operator(type: ValType, depth: number): number[] {
    const rng = this.rng
    const sub = (t: ValType) => this.expr(t, depth + 1)
    if (type === 'i32') {
      switch (rng.int(8)) {
        case 0:
          return [...sub('i32'), rng.pick([0x45, 0x67, 0x68, 0x69])]
        case 1:
          return [...sub('i64'), 0xa7]
        case 2:
          return [
            ...sub('i64'),
            ...sub('i64'),
            rng.pick([0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a]),
          ]
        case 3:
          return [...sub('f64'), ...sub('f64'), rng.pick([0x61, 0x62, 0x63, 0x64, 0x65, 0x66])]
        case 4:
          return [...sub('f64'), 0xfc, rng.pick([0x02, 0x03])] // i32.trunc_sat_f64_s/u
        case 5:
          return [...this.address(depth), 0x28, 0x02, 0x00]
        case 6:
          // Division by (x | 1) never traps; now and then a plain div_s/rem_s may (by zero, or INT_MIN / -1).
          if (rng.chance(0.05)) return [...sub('i32'), ...sub('i32'), rng.pick([0x6d, 0x6f])]
          return [...sub('i32'), ...sub('i32'), 0x41, 1, 0x72, rng.pick([0x6e, 0x70])]
        default:
          return [
            ...sub('i32'),
            ...sub('i32'),
            rng.pick([
              0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x46, 0x47, 0x48, 0x49, 0x4a,
              0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
            ]),
          ]
      }
    }
    if (type === 'i64') {
      switch (rng.int(5)) {
        case 0:
          return [...sub('i32'), rng.pick([0xac, 0xad])]
        case 1:
          return [...this.address(depth), 0x29, 0x03, 0x00]
        case 2:
          return [...sub('i64'), rng.pick([0x79, 0x7a, 0x7b])]
        default:
          return [
            ...sub('i64'),
            ...sub('i64'),
            rng.pick([0x7c, 0x7d, 0x7e, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a]),
          ]
      }
    }
    switch (rng.int(4)) {
      case 0:
        return [...sub('i32'), 0xb7]
      case 1:
        return [...sub('i64'), 0xb9]
      case 2:
        return [...sub('f64'), rng.pick([0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e])]
      default:
        return [...sub('f64'), ...sub('f64'), rng.pick([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5])]
    }
  }

  private leaf(type: ValType): number[] {
    const rng = this.rng
    const locals = this.body.locals.flatMap((t, i) => (t === type ? [i] : []))
    const globals = this.module.globals.flatMap((t, i) => (t === type && i !== FUEL_GLOBAL ? [i] : []))
    const roll = rng.int(3)
    if (roll === 0 && locals.length > 0) return [0x20, ...u32(rng.pick(locals))]
    if (roll === 1 && globals.length > 0) return [0x23, ...u32(rng.pick(globals))]
    return constant(rng, type)
  }
}
