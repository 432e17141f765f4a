/**
 * Fast copies of instrumented functions, for builds from a profile. An instrumented function carries two
 * kinds of Asyncify code: checks after the calls that can pause (to unwind), and checks on almost every
 * other piece of code (to skip it while rewinding, when the function is entered again to get back to the
 * call that paused). The second kind is what makes an interpreter's dispatch loop slow: one state check per
 * opcode, and longer-lived locals. Measured on QuickJS in Node 20: 2x the original with only two call sites
 * instrumented in its loop, against 1.0x without the skips.
 *
 * So each instrumented function `f` gets a copy `f$fast` in which every state test except "is unwinding" is
 * replaced by its value in the normal state. The copy runs the same code, unwinds into the layout `f` restores
 * (same call indexes, same offsets; each exit stores only what `f` will read there: site-saves.ts), and cannot
 * rewind. It never needs to: calls in the normal state go to
 * the copy, and calls while rewinding go to `f`, which restores the frame the copy saved:
 * - uninstrumented functions only ever run in the normal state, so they call `f$fast`;
 * - the copies call each other (they never run while rewinding);
 * - instrumented functions (the `f` versions: exports, function pointers, a rewound frame) pick at each call
 *   by the state: `f` while rewinding, `f$fast` otherwise.
 * A frame that was rewound finishes in `f` (slow); every call it makes is fast again.
 *
 * Why a test other than "is unwinding" can take its normal-state value in the copy: the copy never runs while
 * rewinding (the state is 2 only on the way back in, and those calls go to `f`), and while unwinding the only
 * code that runs is the unwind branch right after the call that started it (Asyncify.cpp, AsyncifyFlow).
 */

import type binaryen from 'binaryen'
import { isStateRead, isStateTest, STATE, STATE_GLOBAL } from './asyncify-state.ts'
import { type ExpressionRef, replaceExpressions } from './expression-walk.ts'
import { type SiteSaveApi, saveLiveLocalsPerSite } from './site-saves.ts'

type Module = binaryen.Module

/** The binaryen.js members used here, besides those per-call-site saves use. */
export type FastCloneApi = SiteSaveApi & {
  Call: {
    getTarget(expr: ExpressionRef): string
    setTarget(expr: ExpressionRef, target: string): void
    getNumOperands(expr: ExpressionRef): number
    getOperandAt(expr: ExpressionRef, index: number): ExpressionRef
  }
  expandType(type: number): number[]
  _BinaryenFunctionAddVar(fn: number, type: number): number
  getFunctionInfo(fn: number): {
    name: string
    params: number
    results: number
    vars: number[]
    body: ExpressionRef
  }
  Function: { getBody(fn: number): ExpressionRef; setBody(fn: number, body: ExpressionRef): void }
}

/**
 * Adds `f$fast` for each function in `instrumented` (internal names of defined functions the pass
 * instrumented) and points the calls at the copies as described above. `callers`: the internal names of
 * every function that may call one of them (others are not walked). Returns how many copies it made.
 */
export function addFastClones(
  api: FastCloneApi,
  mod: Module,
  instrumented: readonly string[],
  callers: Iterable<string>,
): number {
  const fastName = new Map<string, string>()
  const clones = new Set<string>()
  for (const name of instrumented) {
    let clone = `${name}$fast`
    for (let i = 1; mod.getFunction(clone) || clones.has(clone); i++) clone = `${name}$fast${i}`
    fastName.set(name, clone)
    clones.add(clone)
  }

  for (const [name, clone] of fastName) {
    const info = api.getFunctionInfo(mod.getFunction(name))
    const body = mod.copyExpression(info.body)
    // the reads of "is unwinding" tests stay; they are found first (the walk below is post-order)
    const kept = new Set<ExpressionRef>()
    replaceExpressions(api, body, (expr) => {
      if (isStateTest(api, expr, STATE.unwinding)) kept.add(api.Binary.getLeft(expr))
      return undefined
    })
    const fast = replaceExpressions(api, body, (expr, id) => {
      if (id === api.GlobalGetId && isStateRead(api, expr) && !kept.has(expr))
        return mod.i32.const(STATE.normal)
      return redirect(expr, id, undefined)
    })
    const localTypes = [...api.expandType(info.params), ...info.vars]
    const saving = saveLiveLocalsPerSite(api, mod, clone, info.body, fast, localTypes) ?? fast
    mod.addFunction(clone, info.params, info.results, info.vars, saving)
  }

  for (const caller of callers) {
    // names of the input's functions: never a copy (copies get names no function has)
    const fn = mod.getFunction(caller)
    if (!fn) continue
    // an instrumented caller may run while rewinding: it picks by the state
    const picking = fastName.has(caller) ? fn : undefined
    api.Function.setBody(
      fn,
      replaceExpressions(api, api.Function.getBody(fn), (expr, id) => redirect(expr, id, picking)),
    )
  }
  return fastName.size

  /**
   * A call of an instrumented function pointed at its copy, or (`picking`: the caller, which may be
   * rewinding) at either by the state. Other expressions stay.
   */
  function redirect(expr: ExpressionRef, id: number, picking: number | undefined): ExpressionRef | undefined {
    if (id !== api.CallId || api.Call.isReturn(expr)) return undefined
    const target = api.Call.getTarget(expr)
    const clone = fastName.get(target)
    if (clone === undefined) return undefined
    if (picking !== undefined) return pickByState(picking, expr, target, clone)
    api.Call.setTarget(expr, clone)
    return undefined
  }

  /**
   * `state == rewinding ? target(...) : clone(...)`. Operands other than plain values are evaluated once,
   * into new locals of `fn`, before the test.
   */
  function pickByState(fn: number, call: ExpressionRef, target: string, clone: string): ExpressionRef {
    const setup: ExpressionRef[] = []
    const operands: [ExpressionRef, ExpressionRef][] = []
    for (let i = 0; i < api.Call.getNumOperands(call); i++) {
      const operand = api.Call.getOperandAt(call, i)
      const id = api.getExpressionId(operand)
      if (id === api.LocalGetId || id === api.ConstId) {
        operands.push([operand, mod.copyExpression(operand)])
        continue
      }
      const type = api.getExpressionType(operand)
      const local = api._BinaryenFunctionAddVar(fn, type)
      setup.push(mod.local.set(local, operand))
      operands.push([mod.local.get(local, type), mod.local.get(local, type)])
    }
    const type = api.getExpressionType(call)
    const rewinding = mod.i32.eq(mod.global.get(STATE_GLOBAL, api.i32), mod.i32.const(STATE.rewinding))
    const picked = mod.if(
      rewinding,
      mod.call(
        target,
        operands.map(([first]) => first),
        type,
      ),
      mod.call(
        clone,
        operands.map(([, second]) => second),
        type,
      ),
    )
    return setup.length === 0 ? picked : mod.block(null, [...setup, picked], type)
  }
}
