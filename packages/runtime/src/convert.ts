/** Values crossing from JS into wasm: what an import hands back, now or after a pause. */
import type { ValType } from './meta.ts'

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

/** Attaches a no-op rejection handler to a promise we will not await, so it never becomes unhandled. */
export function silence(value: PromiseLike<unknown>): void {
  value.then(undefined, () => {})
}

function one(type: ValType, value: unknown): unknown {
  // The engine converts numbers for i32/f32/f64 (ToInt32/ToNumber) but refuses a number for i64 and a
  // BigInt for the others; accept both so `resolve(5)` works for an i64 import and `resolve(5n)` for an i32.
  if (type === 'i64') return typeof value === 'number' ? BigInt(value) : value
  if (type === 'i32' || type === 'f32' || type === 'f64')
    return typeof value === 'bigint' ? Number(value) : value
  return value
}

/** Converts an import's (settled) result to what the engine accepts for the import's result types. */
export function toWasm(results: ValType[], value: unknown): unknown {
  if (results.length === 1) return one(results[0], value)
  // multi-value: the engine reads an iterable; convert element-wise when it is an array
  return Array.isArray(value) ? value.map((v, i) => one(results[i], v)) : value
}

function zero(type: ValType): unknown {
  return type === 'i64' ? 0n : type === 'i32' || type === 'f32' || type === 'f64' ? 0 : null
}

/**
 * What an import returns to wasm while the stack unwinds. The value is ignored, but it must still have the
 * right JS type (a BigInt for i64), or the engine throws before the unwind can finish.
 */
export function placeholder(results: ValType[]): unknown {
  return results.length === 1 ? zero(results[0]) : results.length ? results.map(zero) : undefined
}
