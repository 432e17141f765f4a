/**
 * Pausing with JSPI (`WebAssembly.Suspending` + `WebAssembly.promising`) on the original, non-asyncified
 * module: the engine keeps each paused call's wasm stack itself. The shared wrappers keep what JSPI does not
 * give: the same errors, and the C shadow stack in linear memory, which every call shares.
 *
 * The engine resumes a paused call when the promise its import returned settles; our reaction to that
 * promise runs just before. There the call takes `scheduler.locked`, puts its C stack frames back (see
 * shadow-stack.ts) and hands the value on; until its stack has run again (it pauses again, or returns)
 * nothing else of this instance may start or resume, so no other call can move the stack under it.
 */
import {
  type AnyFunction,
  type CallContext,
  callImport,
  callWith,
  type Driver,
  entry,
  exactly,
  type Fixed,
  nativeOverflow,
  reportPause,
  resolved,
  type Start,
  spreading,
  stackFailure,
} from './calls.ts'
import { isThenable, toWasm } from './convert.ts'
import type { Scheduler } from './scheduler.ts'
import type { Segment } from './shadow-stack.ts'

/** The JSPI API (not yet in TypeScript's lib). */
interface Jspi {
  Suspending: new (fn: AnyFunction) => object
  promising(fn: AnyFunction): (...args: unknown[]) => Promise<unknown>
}

export function hasJspi(): boolean {
  const wasm = WebAssembly as unknown as Partial<Jspi>
  return typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function'
}

/** One call through `promising`: its C stack segment, and the call it is nested in. */
interface JspiCall extends Segment {
  outer: JspiCall | undefined
  /** Called synchronously from an import of `outer`, which keeps running when this call pauses. */
  nested: boolean
  /** It paused at least once, so the shadow stack knows it. */
  paused: boolean
  /** It began with `stack.enter()` (others were active). */
  entered: boolean
}

export function createJspiDriver(ctx: CallContext, scheduler: Scheduler): Driver {
  const jspi = WebAssembly as unknown as Jspi
  /** The call whose wasm stack runs now (or is about to run again, while `scheduler.locked`). */
  let current: JspiCall | undefined
  /** The call holding `scheduler.locked`. */
  let holder: JspiCall | undefined
  /** Calls waiting to resume while another holds the lock. */
  const resuming: (() => void)[] = []

  const promisingOf = new Map<AnyFunction, (...args: unknown[]) => Promise<unknown>>()
  // A call that may reach a Suspending import goes through `promising`, nested ones too: a Suspending
  // import reached outside of it throws SuspendError even when it does not pause.
  const promisingFor = (raw: AnyFunction) => {
    let promising = promisingOf.get(raw)
    if (!promising) {
      promising = jspi.promising(raw)
      promisingOf.set(raw, promising)
    }
    return promising
  }

  /** `call` paused again or ended: if it held the lock, the next call may resume or start. */
  const unlock = (call: JspiCall) => {
    if (holder !== call) return
    holder = undefined
    scheduler.locked = false
    const next = resuming.shift()
    if (next) next()
    else scheduler.wake()
  }

  /** Just before the engine resumes `call`: its frames back in place, the stack pointer where it paused. */
  const enter = (call: JspiCall) => {
    scheduler.locked = true
    holder = call
    ctx.stack.resume(call)
    current = call
  }

  /** A call is over: its frames are gone, its stack (if it had one of its own) free again. */
  const ended = (call: JspiCall) => {
    if (current === call) current = undefined
    if (call.paused || call.entered) ctx.stack.release(call)
    ctx.stack.settle()
    unlock(call)
  }

  /** A promise that settles like `value`, once `call` holds the lock and its frames are back. */
  const resumeWith = (call: JspiCall, value: PromiseLike<unknown>, convert: (v: unknown) => unknown) => {
    const gate = (): Promise<void> | undefined =>
      scheduler.locked ? new Promise<void>((resolve) => resuming.push(resolve)) : undefined
    const proceed = (ok: boolean, settled: unknown): unknown => {
      call.pending = false
      const waiting = gate()
      if (waiting) return waiting.then(() => proceed(ok, settled))
      enter(call)
      // a closed instance: the call resumes only to unwind with the reason, out through `promising`
      if (ctx.poison !== undefined) throw ctx.poison
      if (ok) return convert(settled)
      throw settled // into wasm at the import; it leaves through `promising` unchanged
    }
    return Promise.resolve(value).then(
      (v) => proceed(true, v),
      (e) => proceed(false, e),
    )
  }

  /** Runs `promising(raw)` as `call`, tracking which call runs. */
  const run = (call: JspiCall, promising: Fixed, a: unknown, b: unknown, c: unknown, d: unknown) => {
    const outer = current
    current = call
    try {
      return promising(a, b, c, d) as Promise<unknown>
    } finally {
      // returned (its promise settles later) or paused: the outer call runs again
      current = outer
    }
  }

  /** A top-level call is over: its frames are gone, its lock (if it held it) passes on. */
  const finish = (call: JspiCall) => {
    ended(call)
    scheduler.done()
  }

  /**
   * An export that cannot reach a suspending import (the build proved it: `reachesAsyncImport`) runs like a
   * plain call: no stack for `promising` to allocate, which is most of a short call's cost under JSPI.
   */
  const direct =
    (raw: AnyFunction, name: string): Start =>
    (a, b, c, d) => {
      let call: JspiCall | undefined
      if (scheduler.active > 1) {
        try {
          call = topLevel(ctx.stack.enter(), true)
        } catch (error) {
          scheduler.done()
          return Promise.reject(stackFailure(ctx, name, error))
        }
      }
      let result: unknown
      try {
        result = raw(a, b, c, d)
      } catch (error) {
        ctx.stack.set(call?.base ?? ctx.stack.top)
        if (call) ended(call)
        scheduler.done()
        return Promise.reject(nativeOverflow(ctx, name, error) ?? error)
      }
      if (call) ended(call)
      scheduler.done()
      return resolved(result)
    }

  const topLevel = (base: number, entered: boolean): JspiCall => ({
    base,
    sp: base,
    home: ctx.stack.homeOf(base),
    owner: true,
    saved: undefined,
    out: false,
    pending: false,
    outer: undefined,
    nested: false,
    paused: false,
    entered,
  })

  return {
    suspending(fn, im) {
      const count = im.sig?.params.length ?? 0
      const invoke = exactly(fn, count)
      const convert = toWasm(im.sig?.results ?? [])
      const body: Fixed = (a, b, c, d) => {
        const value = callImport(ctx, invoke, a, b, c, d)
        if (!isThenable(value)) return convert(value)
        if (ctx.onPause) reportPause(ctx, im, 'jspi')
        // The engine suspends this call's stack when we return: keep its C frames safe until it resumes.
        const call = current
        // no call of ours runs (a raw export called through `promising` by hand): the engine decides
        if (!call) return value
        call.paused = true
        ctx.stack.pause(call)
        // A nested call's outer call keeps running on the same addresses: move the frames out now.
        if (call.nested) ctx.stack.evict(call)
        // A top-level call stops all wasm of this instance: moved-out frames may come back.
        else ctx.stack.settle()
        current = call.outer
        unlock(call)
        return resumeWith(call, value, convert)
      }
      return new jspi.Suspending(entry(body, count))
    },

    starter(raw, exportMeta, spread) {
      const { name } = exportMeta
      if (exportMeta.reachesAsyncImport === false) return direct(spread ? spreading(raw) : raw, name)
      const promising: Fixed = spread ? spreading(promisingFor(raw)) : promisingFor(raw)
      return (a, b, c, d) => {
        let call: JspiCall
        try {
          call = scheduler.active > 1 ? topLevel(ctx.stack.enter(), true) : topLevel(ctx.stack.top, false)
        } catch (error) {
          scheduler.done()
          return Promise.reject(stackFailure(ctx, name, error))
        }
        let pending: Promise<unknown>
        try {
          pending = run(call, promising, a, b, c, d)
        } catch (error) {
          // arguments the engine cannot convert (a number for an i64) throw before anything ran
          ctx.stack.set(call.base)
          ended(call)
          scheduler.done()
          return Promise.reject(error)
        }
        return pending.then(
          (result) => {
            finish(call)
            return result
          },
          (error: unknown) => {
            ctx.stack.set(call.base)
            finish(call)
            throw nativeOverflow(ctx, name, error) ?? error
          },
        )
      }
    },

    /** A call from inside an import: it runs on top of the outer call's frames, and may pause (JSPI can). */
    nested(raw, args) {
      const base = ctx.stack.read()
      const call: JspiCall = {
        base,
        sp: base,
        home: current?.home ?? ctx.stack.top,
        owner: false,
        saved: undefined,
        out: false,
        pending: false,
        outer: current,
        nested: true,
        paused: false,
        entered: false,
      }
      const promising = promisingFor(raw)
      const outer = current
      current = call
      let pending: Promise<unknown>
      try {
        pending = callWith(promising, args) as Promise<unknown>
      } finally {
        current = outer
      }
      return pending.then(
        (result) => {
          ended(call)
          return result
        },
        (error: unknown) => {
          ended(call)
          throw error
        },
      )
    },
  }
}
