/**
 * Asyncify's state, as the pass leaves it in the module: the global, its values, and how its code tests it.
 * Shared by the passes that read or rewrite that code (pause-guard.ts, fast-clones.ts, site-saves.ts).
 */

import type { ExpressionRef, WalkApi } from './expression-walk.ts'

/** Binaryen's name for the state global the pass adds (Asyncify.cpp: `ASYNCIFY_STATE`). */
export const STATE_GLOBAL = '__asyncify_state'

/** The values of the state global (Asyncify.cpp: `State`). */
export const STATE = { normal: 0, unwinding: 1, rewinding: 2 } as const

/** The binaryen.js members used here. */
export type StateTestApi = WalkApi & {
  i32: number
  BinaryId: number
  GlobalGetId: number
  ConstId: number
  EqInt32: number
  getExpressionType(expr: ExpressionRef): number
  Binary: {
    getOp(expr: ExpressionRef): number
    getLeft(expr: ExpressionRef): ExpressionRef
    getRight(expr: ExpressionRef): ExpressionRef
  }
  GlobalGet: { getName(expr: ExpressionRef): string }
  Const: { getValueI32(expr: ExpressionRef): number }
}

/** `global.get $__asyncify_state`. */
export function isStateRead(api: StateTestApi, expr: ExpressionRef): boolean {
  return api.getExpressionId(expr) === api.GlobalGetId && api.GlobalGet.getName(expr) === STATE_GLOBAL
}

/** `i32.eq (global.get $__asyncify_state) (i32.const value)`, the form Asyncify tests the state in. */
export function isStateTest(api: StateTestApi, expr: ExpressionRef, value: number): boolean {
  if (api.getExpressionId(expr) !== api.BinaryId || api.Binary.getOp(expr) !== api.EqInt32) return false
  const right = api.Binary.getRight(expr)
  return (
    isStateRead(api, api.Binary.getLeft(expr)) &&
    api.getExpressionId(right) === api.ConstId &&
    api.getExpressionType(right) === api.i32 &&
    api.Const.getValueI32(right) === value
  )
}
