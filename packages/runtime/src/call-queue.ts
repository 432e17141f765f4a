/**
 * One call at a time per instance, first come first served. Asyncify has one unwind buffer and one
 * `__asyncify_data` pointer, and both modes share one C shadow stack: a second call that paused while
 * the first is paused would rewind the first call's frames (GoogleChromeLabs/asyncify#13 returns swapped
 * results) or move the stack pointer under it. Queuing makes overlapping calls correct instead.
 *
 * The queue is only bookkeeping: whoever holds the turn runs the call (see `Driver.start`). An idle
 * instance costs a call one flag check, no promise and no closure.
 */
export interface CallQueue {
  /** A call holds the turn: it is running or paused. Set it to take the turn when it is false. */
  busy: boolean
  /** Resolves when it is the caller's turn (which it then holds). */
  turn(): Promise<void>
  /** The call that held the turn finished without pausing: the next one starts in a microtask. */
  done(): void
  /** The call paused and `call` is its promise: returns it, and the turn passes on once it settled. */
  hold<T>(call: Promise<T>): Promise<T>
  /** The paused call is over (called before its promise settles). */
  settled(): void
}

export function createCallQueue(): CallQueue {
  const waiting: (() => void)[] = []
  /** The promise of the call that paused, while it runs. */
  let current: Promise<unknown> | undefined
  /** `settled()` came before `hold()`: the paused call failed before its promise was returned. */
  let early = false

  // Hands the turn to the next waiting call, or frees the queue.
  const release = (): void => {
    const next = waiting.shift()
    if (next) next()
    else queue.busy = false
  }

  const queue: CallQueue = {
    busy: false,
    turn: () => new Promise<void>((resolve) => waiting.push(resolve)),
    // A call queued during a synchronous call (from JS that wasm reached through a table) starts in a
    // microtask, never nested in this one.
    done() {
      if (waiting.length === 0) queue.busy = false
      else queueMicrotask(release)
    },
    hold(call) {
      if (early) call.then(release, release)
      else current = call
      early = false
      return call
    },
    // With nobody waiting the queue is free at once, so a pause costs no promise for queuing; otherwise
    // the next call starts after this call's promise settled (and its earlier reactions ran), so results
    // settle in call order.
    settled() {
      if (waiting.length === 0) queue.busy = false
      else if (current) current.then(release, release)
      else early = true
      current = undefined
    },
  }
  return queue
}
