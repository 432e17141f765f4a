/**
 * Saved locals that an unwind helper (site-saves.ts) computes instead of receiving them. clang hoists loop
 * invariants out of an interpreter's loop into locals (`argc << 3`, `sf + 88`) that one or two cases use.
 * V8 computes such a pure value next to its uses, unless it has uses all over the loop: then once, before the
 * loop, and it holds a stack slot across the whole loop. The unwind exits of a fast copy read every local the
 * original reads after it resumes, those included: in QuickJS's `JS_CallInternal` 15 of them, which took its
 * frame on Node 20 from 44 slots to 60, and the deepest recursion to 76% of the original's.
 *
 * A local qualifies at an exit when it is set once, to a small pure expression of other locals, and, on every
 * way to the exit, that set ran and none of those locals was written after it (a forward must-analysis). Its
 * value at the exit is then that expression of their values there. When they are saved at that exit anyway,
 * the helper gets them (as it does already) and computes the local, which keeps nothing extra alive.
 */

import type binaryen from 'binaryen'
import { conditionTruth } from './asyncify-state.ts'
import { childrenOf, type ExpressionRef, replaceExpressions } from './expression-walk.ts'
import type { SiteSaveApi } from './site-saves.ts'

type Module = binaryen.Module

/** A local set once to a pure expression of other locals. */
interface Candidate {
  /** The `local.set` (or tee). */
  set: ExpressionRef
  /** The locals its value reads, as a bit set. */
  reads: bigint
}

/** Operators that cannot trap and cost about one instruction (integers only). */
const PURE_BINARY = [
  'Add',
  'Sub',
  'Mul',
  'And',
  'Or',
  'Xor',
  'Shl',
  'ShrU',
  'ShrS',
  'RotL',
  'RotR',
  'Eq',
  'Ne',
  'LtS',
  'LtU',
  'LeS',
  'LeU',
  'GtS',
  'GtU',
  'GeS',
  'GeU',
].flatMap((op) => [`${op}Int32`, `${op}Int64`])
const PURE_UNARY = [
  'EqZInt32',
  'EqZInt64',
  'ClzInt32',
  'ClzInt64',
  'CtzInt32',
  'CtzInt64',
  'PopcntInt32',
  'PopcntInt64',
  'WrapInt64',
  'ExtendSInt32',
  'ExtendUInt32',
  'ExtendS8Int32',
  'ExtendS16Int32',
  'ExtendS8Int64',
  'ExtendS16Int64',
  'ExtendS32Int64',
]

/** The most expressions a recomputed value may have: the helper repeats them. */
const MAX_SIZE = 8

/** The locals of one function that a helper may compute, and which of them qualify at each exit. */
export class Recomputable {
  private readonly api: SiteSaveApi
  private readonly bits: readonly bigint[]
  private readonly candidates: Map<number, Candidate>
  private readonly validAt: Map<number, bigint>

  /**
   * `body`: the fast copy, its exits told apart by `exitIndexOf` (the call index, or `undefined`).
   * Finds nothing (and never throws) where a shape is not understood.
   */
  constructor(
    api: SiteSaveApi,
    body: ExpressionRef,
    bits: readonly bigint[],
    exitIndexOf: (expr: ExpressionRef, id: number) => number | undefined,
  ) {
    this.api = api
    this.bits = bits
    this.candidates = candidatesOf(api, body, bits)
    this.validAt = new Map()
    if (this.candidates.size === 0) return
    try {
      this.validAt = new ValidSets(api, bits, this.candidates, exitIndexOf).at(body)
    } catch (error) {
      if (!(error instanceof NotUnderstood)) throw error
    }
  }

  /**
   * Of the locals `saved` at exit `index`, those the helper computes: valid there, and made of locals that are
   * saved there and not computed themselves (so the helper has their values).
   */
  at(index: number, saved: bigint): Set<number> {
    const bits = this.bits
    const valid = (this.validAt.get(index) ?? 0n) & saved
    const first = [...this.candidates].filter(
      ([local, c]) => (valid & bits[local]!) !== 0n && (c.reads & ~saved) === 0n,
    )
    const firstBits = first.reduce((all, [local]) => all | bits[local]!, 0n)
    return new Set(first.filter(([, c]) => (c.reads & firstBits) === 0n).map(([local]) => local))
  }

  /** A fresh copy of `local`'s value for the helper, tees dropped, its reads renumbered by `remap`. */
  valueOf(mod: Module, local: number, remap: (local: number) => number): ExpressionRef {
    const api = this.api
    const value = mod.copyExpression(api.LocalSet.getValue(this.candidates.get(local)!.set))
    return replaceExpressions(api, value, (expr, id) => {
      if (id === api.LocalSetId) return api.LocalSet.getValue(expr)
      if (id === api.LocalGetId) api.LocalGet.setIndex(expr, remap(api.LocalGet.getIndex(expr)))
      return undefined
    })
  }
}

/**
 * The arm an `if` takes when its condition folds to a constant (a copy's `state == rewinding` tests read the
 * constant "normal": Asyncify's restore code is dead there until the copy is optimized), `null` for a missing
 * else arm, `undefined` when the condition does not fold.
 */
function takenArm(api: SiteSaveApi, expr: ExpressionRef): ExpressionRef | null | undefined {
  const taken = conditionTruth(api, api.If.getCondition(expr), {})
  if (taken === undefined) return undefined
  return taken ? api.If.getIfTrue(expr) : api.If.getIfFalse(expr) || null
}

/** A shape the forward walk does not handle: nothing is recomputed. */
class NotUnderstood extends Error {}

/** Locals with one set, whose value is a small pure expression of other locals and constants. */
function candidatesOf(
  api: SiteSaveApi,
  body: ExpressionRef,
  bits: readonly bigint[],
): Map<number, Candidate> {
  const pureBinary = new Set(PURE_BINARY.map((name) => api[name] as number))
  const pureUnary = new Set(PURE_UNARY.map((name) => api[name] as number))
  // each local's only set, or null once it has a second one
  const sets = new Map<number, ExpressionRef | null>()
  const visit = (expr: ExpressionRef) => {
    const id = api.getExpressionId(expr)
    if (id === api.LocalSetId) {
      const local = api.LocalSet.getIndex(expr)
      sets.set(local, sets.has(local) ? null : expr)
    }
    const arm = id === api.IfId ? takenArm(api, expr) : undefined
    if (arm === undefined) childrenOf(api, expr).forEach(visit)
    else if (arm) visit(arm)
  }
  visit(body)

  /** The locals `expr` reads, or `undefined` when it is not pure, small and of integers. */
  const readsOf = (expr: ExpressionRef): bigint | undefined => {
    let reads = 0n
    let writes = 0n
    let size = 0
    const visit = (e: ExpressionRef): boolean => {
      if (++size > MAX_SIZE) return false
      const id = api.getExpressionId(e)
      const type = api.getExpressionType(e)
      if (type !== api.i32 && type !== api.i64) return false
      if (id === api.ConstId) return true
      if (id === api.LocalGetId) {
        const bit = bits[api.LocalGet.getIndex(e)]
        if (bit === undefined) return false
        reads |= bit
        return true
      }
      // a tee's value: the helper computes it without the write
      if (id === api.LocalSetId) {
        const bit = bits[api.LocalSet.getIndex(e)]
        if (bit === undefined) return false
        writes |= bit
        return visit(api.LocalSet.getValue(e))
      }
      if (id === api.UnaryId) return pureUnary.has(api.Unary.getOp(e)) && visit(api.Unary.getValue(e))
      if (id === api.BinaryId) return pureBinary.has(api.Binary.getOp(e)) && childrenOf(api, e).every(visit)
      return false
    }
    // a local the value both reads and writes: which value a read saw depends on the order
    return visit(expr) && (reads & writes) === 0n ? reads : undefined
  }

  const candidates = new Map<number, Candidate>()
  for (const [local, set] of sets) {
    if (set === null) continue
    const reads = readsOf(api.LocalSet.getValue(set))
    // a value of its own old value cannot be computed from the locals at the exit
    if (reads === undefined || (reads & bits[local]!) !== 0n) continue
    candidates.set(local, { set, reads })
  }
  return candidates
}

/**
 * Forward must-analysis: the candidates whose set ran, with none of the locals it read written since, on every
 * way to a point. Bit sets over locals; `all` stands for a point no way reaches.
 */
class ValidSets {
  private readonly api: SiteSaveApi
  private readonly all: bigint
  /** The candidate each `local.set` makes valid. */
  private readonly gens = new Map<ExpressionRef, bigint>()
  /** Per local, the candidates a write of it makes invalid. */
  private readonly kills: bigint[]
  private readonly exitIndexOf: (expr: ExpressionRef, id: number) => number | undefined
  private readonly labels = new Map<string, bigint>()
  private readonly loops = new Map<ExpressionRef, bigint>()
  private readonly exits = new Map<number, bigint>()

  constructor(
    api: SiteSaveApi,
    bits: readonly bigint[],
    candidates: Map<number, Candidate>,
    exitIndexOf: (expr: ExpressionRef, id: number) => number | undefined,
  ) {
    this.api = api
    this.all = bits.reduce((all, bit) => all | bit, 0n)
    this.exitIndexOf = exitIndexOf
    this.kills = bits.map(() => 0n)
    for (const [local, c] of candidates) {
      this.gens.set(c.set, bits[local]!)
      bits.forEach((bit, read) => {
        if ((c.reads & bit) !== 0n) this.kills[read]! |= bits[local]!
      })
    }
  }

  /** The valid candidates at each exit of `body`, by call index. */
  at(body: ExpressionRef): Map<number, bigint> {
    this.after(body, 0n)
    return this.exits
  }

  /** The valid set after `expr`, given the one before it. */
  private after(expr: ExpressionRef, before: bigint): bigint {
    const api = this.api
    const id = api.getExpressionId(expr)
    const exit = this.exitIndexOf(expr, id)
    if (exit !== undefined) this.exits.set(exit, (this.exits.get(exit) ?? this.all) & before)
    switch (id) {
      case api.LocalSetId: {
        const valid = this.after(api.LocalSet.getValue(expr), before)
        return (valid & ~this.kills[api.LocalSet.getIndex(expr)]!) | (this.gens.get(expr) ?? 0n)
      }
      case api.BlockId: {
        const name = api.Block.getName(expr)
        const [valid, branched] = this.labelled(name, () => {
          let valid = before
          for (let i = 0; i < api.Block.getNumChildren(expr); i++)
            valid = this.after(api.Block.getChildAt(expr, i), valid)
          return valid
        })
        // after a block: its end, reached by falling through or by a branch out
        return valid & branched
      }
      case api.LoopId: {
        const name = api.Loop.getName(expr)
        const body = api.Loop.getBody(expr)
        // the start is what holds on entry and on every branch back; from the last fixed point (sets only
        // shrink as outer loops iterate, so it is not below the new one)
        let start = before & (this.loops.get(expr) ?? this.all)
        for (;;) {
          // a branch to a loop goes back to its start
          const [valid, back] = this.labelled(name, () => this.after(body, start))
          const next = start & back
          if (next === start) {
            this.loops.set(expr, start)
            return valid
          }
          start = next
        }
      }
      case api.IfId: {
        const valid = this.after(api.If.getCondition(expr), before)
        const arm = takenArm(api, expr)
        if (arm !== undefined) return arm ? this.after(arm, valid) : valid
        const no = api.If.getIfFalse(expr)
        return this.after(api.If.getIfTrue(expr), valid) & (no ? this.after(no, valid) : valid)
      }
      case api.BreakId: {
        const value = api.Break.getValue(expr)
        const condition = api.Break.getCondition(expr)
        let valid = value ? this.after(value, before) : before
        valid = condition ? this.after(condition, valid) : valid
        this.branch(api.Break.getName(expr), valid)
        return condition ? valid : this.all
      }
      case api.SwitchId: {
        const value = api.Switch.getValue(expr)
        let valid = value ? this.after(value, before) : before
        valid = this.after(api.Switch.getCondition(expr), valid)
        this.branch(api.Switch.getDefaultName(expr), valid)
        for (let i = 0; i < api.Switch.getNumNames(expr); i++)
          this.branch(api.Switch.getNameAt(expr, i), valid)
        return this.all
      }
      case api.TryId:
      case api.RethrowId:
      case api.BrOnId:
        throw new NotUnderstood(`expression id ${id}`)
      default: {
        let valid = before
        for (const child of childrenOf(api, expr)) valid = this.after(child, valid)
        const ends =
          id === api.ReturnId ||
          id === api.UnreachableId ||
          id === api.ThrowId ||
          (id === api.CallId && api.Call.isReturn(expr)) ||
          (id === api.CallIndirectId && api.CallIndirect.isReturn(expr))
        return ends ? this.all : valid
      }
    }
  }

  private branch(name: string, valid: bigint) {
    const target = this.labels.get(name)
    if (target === undefined) throw new NotUnderstood(`branch to unknown label ${name}`)
    this.labels.set(name, target & valid)
  }

  /**
   * Runs `walk` with `name` in scope (a name may be reused by nested scopes): what it returns, and the join of
   * what the branches to `name` carried (`all` if none).
   */
  private labelled(name: string | null, walk: () => bigint): [bigint, bigint] {
    if (!name) return [walk(), this.all]
    const outer = this.labels.get(name)
    this.labels.set(name, this.all)
    try {
      const valid = walk()
      return [valid, this.labels.get(name)!]
    } finally {
      if (outer === undefined) this.labels.delete(name)
      else this.labels.set(name, outer)
    }
  }
}
