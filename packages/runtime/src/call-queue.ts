/**
 * One call at a time per instance, first come first served. Asyncify has one unwind buffer and one
 * `__asyncify_data` pointer, and both modes share one C shadow stack: a second call that paused while
 * the first is paused would rewind the first call's frames (GoogleChromeLabs/asyncify#13 returns swapped
 * results) or move the stack pointer under it. Queuing makes overlapping calls correct instead.
 */

export type CallQueue = <T>(task: () => Promise<T>) => Promise<T>

export function createCallQueue(): CallQueue {
  let busy = false
  const waiting: (() => void)[] = []

  const next = (): void => {
    const resume = waiting.shift()
    if (resume) resume()
    else busy = false
  }

  // Starts a task now; when it settles, the next waiting task starts. The derived promise of
  // `then(next, next)` always fulfils, so a rejected task is never an unhandled rejection here.
  const start = <T>(task: () => Promise<T>): Promise<T> => {
    let result: Promise<T>
    try {
      result = task()
    } catch (error) {
      result = Promise.reject(error)
    }
    result.then(next, next)
    return result
  }

  return (task) => {
    if (!busy) {
      // idle: run synchronously, like an async function does until its first await
      busy = true
      return start(task)
    }
    return new Promise((resolve, reject) => waiting.push(() => start(task).then(resolve, reject)))
  }
}
