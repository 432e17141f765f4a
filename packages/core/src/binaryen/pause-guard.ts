/**
 * The safety net of a build from a profile. The only-list instruments the functions a recording saw on the
 * stack at a pause; a function it left out that can still reach a pausing import (over direct calls and
 * function pointers) gets a check after each call that could pause: if the Asyncify state is not normal when
 * the call returns, the program paused on a path nobody recorded, and the function traps (`unreachable`)
 * instead of running on with a dummy result. The runtime turns the trap into `ASYNCIFY_NOT_IN_PROFILE`.
 *
 * Binaryen's `asyncify-asserts` does the same after every call of every function that is not instrumented
 * (Asyncify.cpp, AsyncifyAssertInNonInstrumented), which on an interpreter costs more than the instrumentation
 * the profile saved. A function that is not instrumented only ever starts in the normal state (nothing runs
 * it while the stack unwinds or rewinds), so testing the state against zero is the same check.
 */

import type binaryen from 'binaryen'
import { STATE_GLOBAL } from './asyncify-state.ts'
import { type ExpressionRef, replaceExpressions, type WalkApi } from './expression-walk.ts'

type Module = binaryen.Module

/** The binaryen.js members used here. */
export type PauseGuardApi = WalkApi & {
  i32: number
  none: number
  unreachable: number
  CallId: number
  CallIndirectId: number
  Call: { getTarget(expr: ExpressionRef): string; isReturn(expr: ExpressionRef): boolean }
  CallIndirect: { isReturn(expr: ExpressionRef): boolean }
  Function: { getBody(fn: number): ExpressionRef; setBody(fn: number, body: ExpressionRef): void }
  getExpressionType(expr: ExpressionRef): number
  _BinaryenFunctionAddVar(fn: number, type: number): number
}

/**
 * Adds the checks to `functions` (internal names) after every `call_indirect` and every call of a function
 * for which `mayPause(target)` holds. Returns how many calls it guarded. Throws `UnwalkableExpression` on an
 * expression kind the walk does not know.
 */
export function guardPauses(
  api: PauseGuardApi,
  mod: Module,
  functions: Iterable<string>,
  mayPause: (target: string) => boolean,
): number {
  const paused = () => mod.global.get(STATE_GLOBAL, api.i32)
  const trapIfPaused = () => mod.if(paused(), mod.unreachable())
  let guarded = 0
  for (const name of functions) {
    const fn = mod.getFunction(name)
    /** One scratch local per result type, for the value of a guarded call. */
    const scratch = new Map<number, number>()
    const body = replaceExpressions(api, api.Function.getBody(fn), (expr, id) => {
      const call = id === api.CallId
      if (!call && id !== api.CallIndirectId) return undefined
      if (call ? api.Call.isReturn(expr) : api.CallIndirect.isReturn(expr)) return undefined
      if (call && !mayPause(api.Call.getTarget(expr))) return undefined
      const type = api.getExpressionType(expr)
      if (type === api.unreachable) return undefined
      guarded++
      if (type === api.none) return mod.block(null, [expr, trapIfPaused()], api.none)
      let local = scratch.get(type)
      if (local === undefined) {
        local = api._BinaryenFunctionAddVar(fn, type)
        scratch.set(type, local)
      }
      return mod.block(null, [mod.local.set(local, expr), trapIfPaused(), mod.local.get(local, type)], type)
    })
    api.Function.setBody(fn, body)
  }
  return guarded
}
