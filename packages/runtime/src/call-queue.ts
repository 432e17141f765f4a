/**
 * One call at a time per instance, first come first served. Asyncify has one unwind buffer and one
 * `__asyncify_data` pointer, and both modes share one C shadow stack: a second call that paused while
 * the first is paused would rewind the first call's frames (GoogleChromeLabs/asyncify#13 returns swapped
 * results) or move the stack pointer under it. Queuing makes overlapping calls correct instead.
 */

import type { AnyFunction, CallContext, Driver } from './calls.ts'

/** Queues one call of `raw` with `args`; the `run` given to `createCallQueue` performs it. */
export type CallQueue = (raw: AnyFunction, args: unknown[], name: string) => Promise<unknown>

/**
 * `driver.run` returns the call's result directly when it finished without pausing, or a promise when it
 * paused (and then calls `settled` when it is over). Calls are passed as their parts, not as closures: the
 * queue sits on every call's hot path.
 */
export function createCallQueue(ctx: CallContext, driver: Driver): CallQueue {
  let busy = false
  const waiting: (() => void)[] = []

  const release = (): void => {
    const resume = waiting.shift()
    if (resume) resume()
    else busy = false
  }

  /** The promise of the call that paused, while it runs. */
  let current: Promise<unknown> | undefined

  // A call that paused tells us when it is over (Driver.run's `settled`). With nobody waiting the queue is
  // free at once, so a pause costs no promise for queuing; otherwise the next call starts once this
  // call's promise settled, so results settle in call order.
  const settled = (): void => {
    if (waiting.length === 0) busy = false
    else current?.then(release, release)
    current = undefined
  }

  // Runs a call. One that finished synchronously (most calls never pause) costs one promise, like an async
  // function.
  const start = (raw: AnyFunction, args: unknown[], name: string): Promise<unknown> => {
    let result: unknown
    try {
      // a queued call may start after an earlier one poisoned the instance
      if (ctx.poison) throw ctx.poison
      result = driver.run(raw, args, name, settled)
    } catch (error) {
      done()
      return Promise.reject(error)
    }
    if (result instanceof Promise) {
      current = result
      return result
    }
    done()
    return Promise.resolve(result)
  }

  // After a synchronous call: a call queued meanwhile (from JS that wasm reached through a table) starts in
  // a microtask, never nested in this one.
  const done = (): void => {
    if (waiting.length === 0) busy = false
    else queueMicrotask(release)
  }

  return (raw, args, name) => {
    if (!busy) {
      // idle: run synchronously, like an async function does until its first await
      busy = true
      return start(raw, args, name)
    }
    return new Promise((resolve, reject) => waiting.push(() => start(raw, args, name).then(resolve, reject)))
  }
}
