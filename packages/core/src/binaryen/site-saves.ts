/**
 * Per-call-site saves in the fast copies (fast-clones.ts). Asyncify saves, at every exit, every local that is
 * live at any call that can pause, so at each such call all of them stay alive, also on the way that never
 * pauses. In QuickJS's interpreter loop that adds about 1,000 phis to `JS_CallInternal` in V8's optimizing
 * compiler, which crosses the 8,192 virtual registers above which V8 11 (Node 20) gives a function its simpler
 * register allocator: 15x the stack frame and 1.5x the time (docs/performance.md).
 *
 * A fast copy unwinds, but never rewinds: its frame is resumed by the instrumented original `f`. So each
 * unwind exit of the copy needs to save only what `f` will read before writing it, when it resumes there:
 * - what `f` reads while rewinding down to that call (the conditions of the ifs around it, for example):
 *   a walk of `f` with the state at "rewinding" and the call index it restores known, from its entry (after
 *   it restored its locals) to the call. Without the index the walk goes down every call's path, and the
 *   conditions of the whole function come back into every set;
 * - what is live after the call, on the normal path (`f` runs the copy's code from there on).
 * Each exit then calls a new function that stores those locals (passed as arguments) at the offsets `f` loads
 * them from, as Asyncify's shared save code does, and returns; the shared code goes dead. Out of line, the
 * stores add nothing to the big function. A local set once to a small pure expression of others that the exit
 * passes anyway is computed by the helper instead (recomputed-saves.ts): passed, it kept loop invariants alive
 * across a whole interpreter loop. A local left out keeps whatever the buffer held, and nothing reads
 * it before writing it. Once resumed, `f` saves all its locals at its own exits, as Asyncify does: what it has
 * not written since is either in the set above or dead, by the same argument, so later rewinds are exact too.
 *
 * The walks are over-approximations where they are unsure (a condition they cannot fold takes both ways),
 * which only saves more. A shape they do not recognise leaves the copy with Asyncify's shared save code.
 * test/fuzz/differential.test.ts checks it against the original module on random programs (seed 26 fails
 * without the rewind walk).
 */

import type binaryen from 'binaryen'
import { type Assumed, conditionTruth, type FoldApi, isStateTest, STATE } from './asyncify-state.ts'
import { childrenOf, type ExpressionRef, replaceExpressions } from './expression-walk.ts'
import { Recomputable } from './recomputed-saves.ts'

type Module = binaryen.Module

/** The block Asyncify wraps an instrumented body in; its branches are the unwind exits. */
const UNWIND_LABEL = '__asyncify_unwind'

/** The binaryen.js members used here, besides those folding conditions uses. */
export type SiteSaveApi = FoldApi & {
  none: number
  BlockId: number
  LoopId: number
  IfId: number
  BreakId: number
  SwitchId: number
  ReturnId: number
  UnreachableId: number
  LocalSetId: number
  StoreId: number
  LoadId: number
  CallId: number
  CallIndirectId: number
  TryId: number
  ThrowId: number
  RethrowId: number
  BrOnId: number
  Block: {
    getName(expr: ExpressionRef): string | null
    getNumChildren(expr: ExpressionRef): number
    getChildAt(expr: ExpressionRef, index: number): ExpressionRef
  }
  Loop: { getName(expr: ExpressionRef): string | null; getBody(expr: ExpressionRef): ExpressionRef }
  If: {
    getCondition(expr: ExpressionRef): ExpressionRef
    getIfTrue(expr: ExpressionRef): ExpressionRef
    getIfFalse(expr: ExpressionRef): ExpressionRef
  }
  Break: {
    getName(expr: ExpressionRef): string
    getCondition(expr: ExpressionRef): ExpressionRef
    getValue(expr: ExpressionRef): ExpressionRef
  }
  Switch: {
    getNumNames(expr: ExpressionRef): number
    getNameAt(expr: ExpressionRef, index: number): string
    getDefaultName(expr: ExpressionRef): string
    getCondition(expr: ExpressionRef): ExpressionRef
    getValue(expr: ExpressionRef): ExpressionRef
  }
  Return: { getValue(expr: ExpressionRef): ExpressionRef }
  LocalGet: { getIndex(expr: ExpressionRef): number; setIndex(expr: ExpressionRef, index: number): void }
  LocalSet: {
    getIndex(expr: ExpressionRef): number
    setIndex(expr: ExpressionRef, index: number): void
    getValue(expr: ExpressionRef): ExpressionRef
  }
  createType(types: number[]): number
  Store: { getPtr(expr: ExpressionRef): ExpressionRef; getValue(expr: ExpressionRef): ExpressionRef }
  Call: { isReturn(expr: ExpressionRef): boolean }
  CallIndirect: { isReturn(expr: ExpressionRef): boolean }
}

/** A shape the walks do not handle: the copy keeps Asyncify's shared save code. */
class Unsupported extends Error {}

/** Where Asyncify put things in an instrumented body. */
interface Shape {
  /** The `local.set $index (block $__asyncify_unwind ...)` child of the body. */
  unwind: ExpressionRef
  /** The local that receives the exit's call index. */
  indexLocal: number
  /** The children after it: store the index and the locals, then the function's dummy result. */
  tail: ExpressionRef[]
}

/**
 * Rewrites the unwind exits of `copy` (the body of `f`'s fast copy `name`, not yet in the module) to save only
 * what `original` (`f`'s body) reads when it resumes there, through new functions `name$unwind<index>`.
 * `localTypes`: the types of the locals (params first) both have. Returns the new body, or `undefined` when a
 * shape is not recognised (the copy is then left as it is).
 */
export function saveLiveLocalsPerSite(
  api: SiteSaveApi,
  mod: Module,
  name: string,
  original: ExpressionRef,
  copy: ExpressionRef,
  localTypes: readonly number[],
): ExpressionRef | undefined {
  try {
    const source = shapeOf(api, original)
    const target = shapeOf(api, copy)
    if (!source || !target || source.indexLocal !== target.indexLocal) return undefined
    const bits = localTypes.map((_, i) => 1n << BigInt(i))

    // each call index once: the exits are told apart by it; every branch out is part of an exit
    const indexes = new Set<number>()
    let branches = 0
    replaceExpressions(api, copy, (expr, id) => {
      if (id === api.BreakId && api.Break.getName(expr) === UNWIND_LABEL) branches++
      const exit = exitOf(api, expr, id)
      if (exit === undefined) return undefined
      if (indexes.has(exit.index)) throw new Unsupported(`call index ${exit.index} twice`)
      indexes.add(exit.index)
      return undefined
    })
    if (indexes.size === 0 || branches !== indexes.size) return undefined

    // live after each exit on the normal path, in the copy (the last visit is at the loops' fixed points)
    const after = new Map<number, bigint>()
    new Liveness(api, bits, STATE.normal, undefined, (index, live) => {
      after.set(index, live)
      return undefined
    }).before(target.unwind, 0n)
    if (after.size !== indexes.size) return undefined

    // read on the way down to each exit while rewinding, in the original, which knows the exit's index
    const saved = new Map<number, bigint>()
    const indexLocal = rewoundIndexLocal(api, original, source)
    for (const [index, live] of after) {
      const rewound = indexLocal === undefined ? undefined : { local: indexLocal, value: index }
      let reached = false
      const rewind = new Liveness(api, bits, STATE.rewinding, rewound, (exit) => {
        if (exit !== index) return undefined
        reached = true
        return 0n
      }).before(source.unwind, 0n)
      if (!reached) throw new Unsupported(`call index ${index} is missing from the original`)
      saved.set(index, live | rewind)
    }

    // locals the helper can compute from others it gets anyway (recomputed-saves.ts)
    const recomputable = new Recomputable(api, copy, bits, (expr, id) => exitOf(api, expr, id)?.index)
    const resultType = api.getExpressionType(copy)
    return replaceExpressions(api, copy, (expr, id) => {
      const exit = exitOf(api, expr, id)
      if (exit === undefined) return undefined
      let helper = `${name}$unwind${exit.index}`
      for (let i = 1; mod.getFunction(helper); i++) helper = `${name}$unwind${exit.index}_${i}`
      const live = saved.get(exit.index)!
      const save = exitCode(api, mod, helper, target, {
        live,
        // (not from the index local: the helper's first parameter is the call index, not that local's value)
        recomputed: recomputable.at(exit.index, live & ~bits[target.indexLocal]!),
        recomputable,
        bits,
        localTypes,
        index: exit.index,
        resultType,
      })
      if (exit.kind === 'if') return mod.if(exit.condition, save, exit.rest)
      // a br_if's value flows on when it does not branch (it is dropped)
      return mod.block(null, [mod.if(exit.condition, save), mod.i32.const(exit.index)], api.i32)
    })
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

/**
 * An unwind exit: `br_if $__asyncify_unwind (i32.const index) (condition)` (what Asyncify's optimized output
 * has), or `if (condition) (br $__asyncify_unwind (i32.const index)) (else rest)` (unoptimized). The
 * condition tests "is unwinding".
 */
interface Exit {
  kind: 'br_if' | 'if'
  index: number
  condition: ExpressionRef
  /** The if's else arm: the code after the call, when the exit is not taken. */
  rest?: ExpressionRef
}

function exitOf(api: SiteSaveApi, expr: ExpressionRef, id = api.getExpressionId(expr)): Exit | undefined {
  const indexOf = (branch: ExpressionRef) => {
    if (api.getExpressionId(branch) !== api.BreakId || api.Break.getName(branch) !== UNWIND_LABEL)
      return undefined
    const value = api.Break.getValue(branch)
    if (!value || api.getExpressionId(value) !== api.ConstId) return undefined
    return api.Const.getValueI32(value)
  }
  if (id === api.BreakId) {
    const condition = api.Break.getCondition(expr)
    const index = indexOf(expr)
    return condition && index !== undefined ? { kind: 'br_if', index, condition } : undefined
  }
  // an if with a value would not take the save code (of no value) as its arm: left as it is
  if (id !== api.IfId || api.getExpressionType(expr) !== api.none) return undefined
  let branch = api.If.getIfTrue(expr)
  if (
    api.getExpressionId(branch) === api.BlockId &&
    !api.Block.getName(branch) &&
    api.Block.getNumChildren(branch) === 1
  ) {
    branch = api.Block.getChildAt(branch, 0)
  }
  const index = indexOf(branch)
  if (index === undefined || api.Break.getCondition(branch)) return undefined
  const rest = api.If.getIfFalse(expr) || undefined
  return { kind: 'if', index, condition: api.If.getCondition(expr), rest }
}

/**
 * The local in which `f` keeps the call index it rewinds to: set once, from the buffer, in the
 * `if (state == rewinding)` that opens the unwind block. Undefined if it is not that (for example shared
 * with other values): the walk then takes both ways at each call's guard.
 */
function rewoundIndexLocal(api: SiteSaveApi, body: ExpressionRef, shape: Shape): number | undefined {
  const block = api.LocalSet.getValue(shape.unwind)
  if (api.Block.getNumChildren(block) === 0) return undefined
  const first = api.Block.getChildAt(block, 0)
  if (api.getExpressionId(first) !== api.IfId || api.If.getIfFalse(first)) return undefined
  if (!isStateTest(api, api.If.getCondition(first), STATE.rewinding)) return undefined
  let set = api.If.getIfTrue(first)
  if (api.getExpressionId(set) === api.BlockId) {
    const count = api.Block.getNumChildren(set)
    if (count === 0) return undefined
    set = api.Block.getChildAt(set, count - 1)
  }
  if (
    api.getExpressionId(set) !== api.LocalSetId ||
    api.getExpressionType(set) !== api.none ||
    api.getExpressionId(api.LocalSet.getValue(set)) !== api.LoadId
  ) {
    return undefined
  }
  const local = api.LocalSet.getIndex(set)
  let writes = 0
  replaceExpressions(api, body, (expr, id) => {
    if (id === api.LocalSetId && api.LocalSet.getIndex(expr) === local) writes++
    return undefined
  })
  return writes === 1 ? local : undefined
}

function shapeOf(api: SiteSaveApi, body: ExpressionRef): Shape | undefined {
  if (api.getExpressionId(body) !== api.BlockId) return undefined
  const count = api.Block.getNumChildren(body)
  for (let i = 0; i < count; i++) {
    const child = api.Block.getChildAt(body, i)
    if (api.getExpressionId(child) !== api.LocalSetId) continue
    const value = api.LocalSet.getValue(child)
    if (api.getExpressionId(value) !== api.BlockId || api.Block.getName(value) !== UNWIND_LABEL) continue
    const tail: ExpressionRef[] = []
    for (let j = i + 1; j < count; j++) tail.push(api.Block.getChildAt(body, j))
    return { unwind: child, indexLocal: api.LocalSet.getIndex(child), tail }
  }
  return undefined
}

/** What one exit saves. */
interface ExitSave {
  /** The locals the original reads when it resumes there. */
  live: bigint
  /** Those of them the helper computes from others (recomputed-saves.ts). */
  recomputed: ReadonlySet<number>
  recomputable: Recomputable
  bits: readonly bigint[]
  localTypes: readonly number[]
  /** The exit's call index. */
  index: number
  resultType: number
}

/**
 * The code of one exit: a call of a new function `name` that runs the shared save code of `shape` for the
 * locals in `live` (their values passed as arguments or computed from them, the others' stores dropped), then
 * a return of the dummy result. Out of line, the save code adds nothing to the big function but the call.
 */
function exitCode(api: SiteSaveApi, mod: Module, name: string, shape: Shape, save: ExitSave): ExpressionRef {
  const { live, recomputed, bits, localTypes, index, resultType } = save
  const passed = localTypes.flatMap((_, local) =>
    local !== shape.indexLocal && (live & bits[local]!) !== 0n && !recomputed.has(local) ? [local] : [],
  )
  // the helper's locals: the index, the passed values, then the computed ones and any other local the save
  // code uses (a pointer)
  const mapped = new Map<number, number>([[shape.indexLocal, 0]])
  for (const [i, local] of passed.entries()) mapped.set(local, i + 1)
  const vars: number[] = []
  const remap = (local: number) => {
    let to = mapped.get(local)
    if (to === undefined) {
      to = passed.length + 1 + vars.length
      vars.push(localTypes[local]!)
      mapped.set(local, to)
    }
    return to
  }
  const code: ExpressionRef[] = []
  for (const local of recomputed) {
    const value = save.recomputable.valueOf(mod, local, (read) => {
      const to = mapped.get(read)
      if (to === undefined || !passed.includes(read)) throw new Error(`local ${read} is not passed`)
      return to
    })
    code.push(mod.local.set(remap(local), value))
  }
  const stores = resultType === api.none ? shape.tail : shape.tail.slice(0, -1)
  for (const store of stores) {
    let copy = mod.copyExpression(store)
    if (api.getExpressionId(copy) === api.StoreId) {
      const value = api.Store.getValue(copy)
      if (api.getExpressionId(value) === api.LocalGetId && !mapped.has(api.LocalGet.getIndex(value))) {
        // not read after the resume: keep the address's side effects (it may set the pointer local)
        copy = mod.drop(api.Store.getPtr(copy))
      }
    }
    code.push(
      replaceExpressions(api, copy, (expr, id) => {
        if (id === api.LocalGetId) api.LocalGet.setIndex(expr, remap(api.LocalGet.getIndex(expr)))
        else if (id === api.LocalSetId) api.LocalSet.setIndex(expr, remap(api.LocalSet.getIndex(expr)))
        return undefined
      }),
    )
  }
  const params = api.createType([api.i32, ...passed.map((local) => localTypes[local]!)])
  mod.addFunction(name, params, api.none, vars, mod.block(null, code, api.none))
  const args = passed.map((local) => mod.local.get(local, localTypes[local]!))
  const result = resultType === api.none ? undefined : mod.copyExpression(shape.tail.at(-1)!)
  return mod.block(
    null,
    [mod.call(name, [mod.i32.const(index), ...args], api.none), mod.return(result)],
    api.none,
  )
}

/**
 * Backward liveness of locals over a structured body, as bit sets. `state` is the Asyncify state the walk
 * assumes (reads of the state global fold to it). `onExit(index, liveAfter)` is called at each unwind exit
 * and may return the set live before it (to end the walk there); otherwise the exit is a plain br_if.
 */
class Liveness {
  private readonly labels = new Map<string, bigint>()
  private readonly loops = new Map<ExpressionRef, bigint>()
  private readonly api: SiteSaveApi
  private readonly bits: bigint[]
  private readonly assumed: Assumed
  private readonly onExit: (index: number, liveAfter: bigint) => bigint | undefined

  constructor(
    api: SiteSaveApi,
    bits: bigint[],
    state: number,
    known: { local: number; value: number } | undefined,
    onExit: (index: number, liveAfter: bigint) => bigint | undefined,
  ) {
    this.api = api
    this.bits = bits
    this.assumed = { state, known }
    this.onExit = onExit
  }

  /** The locals live before `expr`, given those live after it. */
  before(expr: ExpressionRef, after: bigint): bigint {
    const api = this.api
    const id = api.getExpressionId(expr)
    const exit = exitOf(api, expr, id)
    if (exit) {
      // never taken in either walk: the normal path goes on, and a rewind goes past the other exits
      const next = exit.rest ? this.before(exit.rest, after) : after
      return this.onExit(exit.index, next) ?? this.before(exit.condition, next)
    }
    switch (id) {
      case api.LocalGetId:
        return after | this.bit(api.LocalGet.getIndex(expr))
      case api.LocalSetId:
        return this.before(api.LocalSet.getValue(expr), after & ~this.bit(api.LocalSet.getIndex(expr)))
      case api.BlockId: {
        const name = api.Block.getName(expr)
        return this.labelled(name, after, () => {
          let live = after
          for (let i = api.Block.getNumChildren(expr) - 1; i >= 0; i--) {
            live = this.before(api.Block.getChildAt(expr, i), live)
          }
          return live
        })
      }
      case api.LoopId: {
        const name = api.Loop.getName(expr)
        const body = api.Loop.getBody(expr)
        // a branch to the loop goes back to its start: iterate to the fixed point, from the last one
        // (sets only grow as outer loops iterate, so the previous fixed point is a valid start)
        let start = this.loops.get(expr) ?? 0n
        for (;;) {
          const live = this.labelled(name, start, () => this.before(body, after))
          if (live === start) break
          start |= live
        }
        this.loops.set(expr, start)
        return start
      }
      case api.IfId: {
        const condition = api.If.getCondition(expr)
        const taken = conditionTruth(api, condition, this.assumed)
        const yes = api.If.getIfTrue(expr)
        const no = api.If.getIfFalse(expr)
        let live = 0n
        if (taken !== false) live |= this.before(yes, after)
        if (taken !== true) live |= no ? this.before(no, after) : after
        return this.before(condition, live)
      }
      case api.BreakId: {
        const name = api.Break.getName(expr)
        const condition = api.Break.getCondition(expr)
        const value = api.Break.getValue(expr)
        if (name === UNWIND_LABEL) throw new Unsupported('a branch out that is not an unwind exit')
        let live: bigint
        if (!condition) live = this.label(name)
        else {
          const taken = conditionTruth(api, condition, this.assumed)
          live = (taken !== false ? this.label(name) : 0n) | (taken !== true ? after : 0n)
          live = this.before(condition, live)
        }
        return value ? this.before(value, live) : live
      }
      case api.SwitchId: {
        let live = this.label(api.Switch.getDefaultName(expr))
        for (let i = 0; i < api.Switch.getNumNames(expr); i++)
          live |= this.label(api.Switch.getNameAt(expr, i))
        live = this.before(api.Switch.getCondition(expr), live)
        const value = api.Switch.getValue(expr)
        return value ? this.before(value, live) : live
      }
      case api.ReturnId: {
        const value = api.Return.getValue(expr)
        return value ? this.before(value, 0n) : 0n
      }
      case api.SelectId: {
        // with a known condition, the other operand's value is discarded: a plain read of it reads nothing
        // that matters (Asyncify's `select($kept, $new, state)` keeps a local while rewinding)
        const condition = api.Select.getCondition(expr)
        const taken = conditionTruth(api, condition, this.assumed)
        let live = this.before(condition, after)
        const no = api.Select.getIfFalse(expr)
        const yes = api.Select.getIfTrue(expr)
        live = taken === true && this.isPlain(no) ? live : this.before(no, live)
        return taken === false && this.isPlain(yes) ? live : this.before(yes, live)
      }
      case api.UnreachableId:
        return 0n
      case api.TryId:
      case api.RethrowId:
      case api.BrOnId:
        throw new Unsupported(`expression id ${id}`)
      default: {
        const ends =
          id === api.ThrowId ||
          (id === api.CallId && api.Call.isReturn(expr)) ||
          (id === api.CallIndirectId && api.CallIndirect.isReturn(expr))
        let live = ends ? 0n : after
        const children = childrenOf(api, expr)
        for (let i = children.length - 1; i >= 0; i--) live = this.before(children[i]!, live)
        return live
      }
    }
  }

  /** A local read or a constant: no effect but its value. */
  private isPlain(expr: ExpressionRef): boolean {
    const id = this.api.getExpressionId(expr)
    return id === this.api.LocalGetId || id === this.api.ConstId
  }

  private bit(local: number): bigint {
    const bit = this.bits[local]
    if (bit === undefined) throw new Unsupported(`local ${local} out of range`)
    return bit
  }

  private label(name: string): bigint {
    const live = this.labels.get(name)
    if (live === undefined) throw new Unsupported(`branch to unknown label ${name}`)
    return live
  }

  /** Runs `walk` with branches to `name` seeing `live` (a name may be reused by nested scopes). */
  private labelled(name: string | null, live: bigint, walk: () => bigint): bigint {
    if (!name) return walk()
    const outer = this.labels.get(name)
    this.labels.set(name, live)
    try {
      return walk()
    } finally {
      if (outer === undefined) this.labels.delete(name)
      else this.labels.set(name, outer)
    }
  }
}
