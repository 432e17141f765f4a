/**
 * `poll_oneoff`, the one WASI call behind `sleep`, `nanosleep`, `usleep` and `poll()`: answered at once when
 * something is ready, otherwise with a promise settled by a timer or by input on stdin, never by spinning.
 * Layouts from the WASI preview1 witx: a subscription is 48 bytes, an event 32.
 */
import { wasi } from '@bjorn3/browser_wasi_shim'
import type { Stdin } from './stdin.ts'

const SUBSCRIPTION_SIZE = 48
const EVENT_SIZE = 32
/** setTimeout's longest delay (2^31 - 1 ms); longer sleeps wait in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

interface Subscription {
  userdata: bigint
  type: number
  /**
   * Clock: the deadline in nanoseconds on `clock`. A relative timeout is kept on the monotonic clock whatever
   * clock the program named: the realtime clock has whole milliseconds only, so a relative sleep measured on
   * it could end up to a millisecond early.
   */
  clock?: number
  deadline?: bigint
  /** fd_read / fd_write: the descriptor. */
  fd?: number
}

export interface PollContext {
  memory(): WebAssembly.Memory
  stdin: Stdin
  /** Whether `fd` is open (a descriptor that is not gets an EBADF event). */
  isOpen(fd: number): boolean
}

/**
 * Now on a WASI clock, in nanoseconds; undefined for clocks we do not have. The monotonic clock is rounded
 * `up` when a deadline is computed from it and down when it is compared with one, so that a sleep is never
 * shorter than asked on the clock the program reads (clock_time_get rounds to the nearest nanosecond).
 */
export function clockNow(id: number, round: 'up' | 'down' = 'down'): bigint | undefined {
  if (id === wasi.CLOCKID_REALTIME) return BigInt(Date.now()) * 1_000_000n
  if (id === wasi.CLOCKID_MONOTONIC) {
    const ns = performance.now() * 1e6
    return BigInt(round === 'up' ? Math.ceil(ns) : Math.floor(ns))
  }
  return undefined
}

function read(view: DataView, ptr: number, count: number): Subscription[] | number {
  const subscriptions: Subscription[] = []
  for (let i = 0; i < count; i++) {
    const at = ptr + i * SUBSCRIPTION_SIZE
    const userdata = view.getBigUint64(at, true)
    const type = view.getUint8(at + 8)
    if (type === wasi.EVENTTYPE_CLOCK) {
      const clock = view.getUint32(at + 16, true)
      const timeout = view.getBigUint64(at + 24, true)
      const flags = view.getUint16(at + 40, true)
      if (clockNow(clock) === undefined) return wasi.ERRNO_INVAL
      if ((flags & wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0) {
        subscriptions.push({ userdata, type, clock, deadline: timeout })
      } else {
        const monotonic = wasi.CLOCKID_MONOTONIC
        subscriptions.push({
          userdata,
          type,
          clock: monotonic,
          deadline: clockNow(monotonic, 'up')! + timeout,
        })
      }
    } else if (type === wasi.EVENTTYPE_FD_READ || type === wasi.EVENTTYPE_FD_WRITE) {
      subscriptions.push({ userdata, type, fd: view.getUint32(at + 16, true) })
    } else {
      return wasi.ERRNO_INVAL
    }
  }
  return subscriptions
}

/** The events that are due now, as [subscription, error] pairs. */
function due(ctx: PollContext, subscriptions: Subscription[]): [Subscription, number][] {
  const events: [Subscription, number][] = []
  for (const s of subscriptions) {
    if (s.type === wasi.EVENTTYPE_CLOCK) {
      if (clockNow(s.clock!)! >= s.deadline!) events.push([s, wasi.ERRNO_SUCCESS])
    } else if (!ctx.isOpen(s.fd!)) {
      events.push([s, wasi.ERRNO_BADF])
    } else if (s.type === wasi.EVENTTYPE_FD_WRITE || s.fd !== 0 || ctx.stdin.ready) {
      // files and outputs never block; stdin is ready with data or at end of input
      events.push([s, wasi.ERRNO_SUCCESS])
    }
  }
  return events
}

function write(
  ctx: PollContext,
  outPtr: number,
  neventsPtr: number,
  events: [Subscription, number][],
): number {
  const view = new DataView(ctx.memory().buffer)
  events.forEach(([s, error], i) => {
    const at = outPtr + i * EVENT_SIZE
    view.setBigUint64(at, s.userdata, true)
    view.setUint16(at + 8, error, true)
    view.setUint8(at + 10, s.type)
    // fd_readwrite: bytes available is unknown (1 says "at least something"), no hangup flag
    view.setBigUint64(at + 16, s.type === wasi.EVENTTYPE_CLOCK ? 0n : 1n, true)
    view.setUint16(at + 24, 0, true)
  })
  view.setUint32(neventsPtr, events.length, true)
  return wasi.ERRNO_SUCCESS
}

/** Resolves at the earliest clock deadline, or when stdin becomes ready if someone polls it. */
function wake(ctx: PollContext, subscriptions: Subscription[]): Promise<void> {
  let earliest: number | undefined
  let stdin = false
  for (const s of subscriptions) {
    if (s.type === wasi.EVENTTYPE_CLOCK) {
      const ms = Number(s.deadline! - clockNow(s.clock!)!) / 1e6
      earliest = earliest === undefined ? ms : Math.min(earliest, ms)
    } else if (s.fd === 0) {
      stdin = true
    }
  }
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    if (earliest !== undefined) {
      timer = setTimeout(resolve, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(earliest))))
    }
    if (stdin) {
      ctx.stdin.pull().then(
        () => {
          clearTimeout(timer)
          resolve()
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    }
  })
}

/** The `poll_oneoff` import: the number errno now, or a promise of it once some subscription is due. */
export function pollOneoff(
  ctx: PollContext,
  inPtr: number,
  outPtr: number,
  count: number,
  neventsPtr: number,
): number | Promise<number> {
  if (count === 0) return wasi.ERRNO_INVAL
  const subscriptions = read(new DataView(ctx.memory().buffer), inPtr, count)
  if (typeof subscriptions === 'number') return subscriptions
  const events = due(ctx, subscriptions)
  if (events.length > 0) return write(ctx, outPtr, neventsPtr, events)
  const loop = async (): Promise<number> => {
    for (;;) {
      await wake(ctx, subscriptions)
      const ready = due(ctx, subscriptions)
      // a timer may fire a fraction of a millisecond early: then wait for the rest
      if (ready.length > 0) return write(ctx, outPtr, neventsPtr, ready)
    }
  }
  return loop()
}
