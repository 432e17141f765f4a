/**
 * Which calls of one instance may start. A call starts at once, even while others are paused, until
 * `limit` calls are active (running or paused); beyond that calls wait in a FIFO queue and start as slots
 * free up. Under JSPI a call that is about to resume holds `locked` until its stack runs again (see the JSPI
 * driver): nothing else may start in between.
 *
 * The scheduler is only bookkeeping: whoever was let in runs the call. With no call active, starting costs
 * a call one comparison, no promise and no closure.
 */
export interface Scheduler {
  /** Calls that started and have not settled. While it is 0 nobody waits (the slot is handed over instead). */
  active: number
  /** Most calls active at once (`maxPausedCalls`). */
  readonly limit: number
  /** A JSPI call is between "its promise settled" and "its stack runs again". */
  locked: boolean
  /** May a call start now (after `active++`)? Calls queued earlier go first. */
  canStart(): boolean
  /** Resolves when the caller may start; its slot is already counted in `active` then. */
  turn(): Promise<void>
  /** A call settled (or finished without pausing): its slot goes to the next waiting call, or is freed. */
  done(): void
  /** `locked` was cleared, or a slot was freed outside `done()`: let waiting calls in. */
  wake(): void
}

export function createScheduler(limit: number): Scheduler {
  const waiting: (() => void)[] = []

  const scheduler: Scheduler = {
    active: 0,
    limit,
    locked: false,
    canStart: () => !scheduler.locked && waiting.length === 0 && scheduler.active < limit,
    turn: () => new Promise<void>((resolve) => waiting.push(resolve)),
    done() {
      scheduler.active--
      scheduler.wake()
    },
    wake() {
      // A call that waited starts in a microtask, never nested in the one that let it in.
      while (!scheduler.locked && waiting.length > 0 && scheduler.active < limit) {
        scheduler.active++
        queueMicrotask(waiting.shift()!)
      }
    },
  }
  return scheduler
}
