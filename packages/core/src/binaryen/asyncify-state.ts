/**
 * Asyncify's state, as the pass leaves it in the module: the global, its values, and how its code tests it.
 * Shared by the passes that read or rewrite that code (pause-guard.ts, fast-clones.ts, site-saves.ts,
 * recomputed-saves.ts).
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

/** What folding a condition needs besides the state tests. */
export type FoldApi = StateTestApi & {
  UnaryId: number
  SelectId: number
  LocalGetId: number
  EqZInt32: number
  NeInt32: number
  AndInt32: number
  OrInt32: number
  Unary: { getOp(expr: ExpressionRef): number; getValue(expr: ExpressionRef): ExpressionRef }
  Select: {
    getIfTrue(expr: ExpressionRef): ExpressionRef
    getIfFalse(expr: ExpressionRef): ExpressionRef
    getCondition(expr: ExpressionRef): ExpressionRef
  }
  LocalGet: { getIndex(expr: ExpressionRef): number }
}

/** What a fold may take as known: the state global's value, and one local's. */
export interface Assumed {
  state?: number
  known?: { local: number; value: number }
}

/** Whether an i32 condition is known to be true or false under `assumed`, or `undefined`. */
export function conditionTruth(api: FoldApi, expr: ExpressionRef, assumed: Assumed): boolean | undefined {
  const value = conditionValue(api, expr, assumed)
  if (value !== undefined) return value !== 0
  const id = api.getExpressionId(expr)
  if (id === api.UnaryId && api.Unary.getOp(expr) === api.EqZInt32) {
    const inner = conditionTruth(api, api.Unary.getValue(expr), assumed)
    return inner === undefined ? undefined : !inner
  }
  if (id === api.BinaryId && api.Binary.getOp(expr) === api.OrInt32) {
    const left = conditionTruth(api, api.Binary.getLeft(expr), assumed)
    const right = conditionTruth(api, api.Binary.getRight(expr), assumed)
    if (left === true || right === true) return true
    if (left === false && right === false) return false
  }
  return undefined
}

/** The exact i32 value of `expr` under `assumed`, when it is made only of constants and what is assumed. */
export function conditionValue(api: FoldApi, expr: ExpressionRef, assumed: Assumed): number | undefined {
  const id = api.getExpressionId(expr)
  if (id === api.ConstId)
    return api.getExpressionType(expr) === api.i32 ? api.Const.getValueI32(expr) : undefined
  if (id === api.GlobalGetId) return isStateRead(api, expr) ? assumed.state : undefined
  if (id === api.LocalGetId) {
    return assumed.known?.local === api.LocalGet.getIndex(expr) ? assumed.known.value : undefined
  }
  if (id === api.UnaryId && api.Unary.getOp(expr) === api.EqZInt32) {
    const inner = conditionValue(api, api.Unary.getValue(expr), assumed)
    return inner === undefined ? undefined : Number(inner === 0)
  }
  if (id === api.BinaryId) {
    const op = api.Binary.getOp(expr)
    const left = conditionValue(api, api.Binary.getLeft(expr), assumed)
    const right = conditionValue(api, api.Binary.getRight(expr), assumed)
    if (op === api.AndInt32 && (left === 0 || right === 0)) return 0
    if (left === undefined || right === undefined) return undefined
    if (op === api.EqInt32) return Number(left === right)
    if (op === api.NeInt32) return Number(left !== right)
    if (op === api.AndInt32) return left & right
    if (op === api.OrInt32) return left | right
    return undefined
  }
  if (id === api.SelectId) {
    const taken = conditionTruth(api, api.Select.getCondition(expr), assumed)
    if (taken === undefined) return undefined
    return conditionValue(api, taken ? api.Select.getIfTrue(expr) : api.Select.getIfFalse(expr), assumed)
  }
  return undefined
}
