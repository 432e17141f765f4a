/**
 * One call at a time per instance, first come first served. Asyncify has one unwind buffer and one
 * `__asyncify_data` pointer, and both modes share one C shadow stack: a second call that paused while
 * the first is paused would rewind the first call's frames (GoogleChromeLabs/asyncify#13 returns swapped
 * results) or move the stack pointer under it. Queuing makes overlapping calls correct instead.
 */

import type { AnyFunction } from './calls.ts'

/** Queues one call of `raw` with `args`; the `run` given to `createCallQueue` performs it. */
export type CallQueue = (raw: AnyFunction, args: unknown[], name: string) => Promise<unknown>

/**
 * `run` returns the call's result directly when it finished without pausing, or a promise when it paused.
 * Calls are passed as their parts, not as closures: the queue sits on every call's hot path.
 */
export function createCallQueue(
  run: (raw: AnyFunction, args: unknown[], name: string) => unknown,
): CallQueue {
  let busy = false
  const waiting: (() => void)[] = []

  const release = (): void => {
    const resume = waiting.shift()
    if (resume) resume()
    else busy = false
  }

  // Runs a task; the next waiting task starts once it settled. A task that finished synchronously (most
  // calls never pause) costs one promise, like an async function; the derived promise of
  // `then(release, release)` always fulfils, so a rejected task is never an unhandled rejection here.
  const start = (raw: AnyFunction, args: unknown[], name: string): Promise<unknown> => {
    let result: unknown
    try {
      result = run(raw, args, name)
    } catch (error) {
      result = Promise.reject(error)
    }
    if (result instanceof Promise) {
      result.then(release, release)
      return result
    }
    // Done already. A call queued meanwhile (from JS that wasm reached through a table) starts in a
    // microtask, never nested in this one.
    if (waiting.length === 0) busy = false
    else queueMicrotask(release)
    return Promise.resolve(result)
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
