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

const same = (value: unknown): unknown => value
const toBigInt = (value: unknown): unknown => (typeof value === 'number' ? BigInt(value) : value)
const toNumber = (value: unknown): unknown => (typeof value === 'bigint' ? Number(value) : value)

// The engine converts numbers for i32/f32/f64 (ToInt32/ToNumber) but refuses a number for i64 and a
// BigInt for the others; accept both so `resolve(5)` works for an i64 import and `resolve(5n)` for an i32.
function one(type: ValType | undefined): (value: unknown) => unknown {
  if (type === 'i64') return toBigInt
  if (type === 'i32' || type === 'f32' || type === 'f64') return toNumber
  return same
}

/**
 * How an import's (settled) result becomes what the engine accepts for the import's result types; made
 * once per import.
 */
export function toWasm(results: ValType[]): (value: unknown) => unknown {
  if (results.length <= 1) return one(results[0])
  const each = results.map(one)
  // multi-value: the engine reads an iterable; convert element-wise when it is an array
  return (value) => (Array.isArray(value) ? value.map((v, i) => each[i]?.(v)) : value)
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
