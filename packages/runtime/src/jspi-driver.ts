/**
 * Pausing with JSPI (`WebAssembly.Suspending` + `WebAssembly.promising`) on the original, non-asyncified
 * module: the engine suspends the wasm stack itself. The shared wrappers keep what JSPI does not give:
 * FIFO calls (the C shadow stack is shared by all calls), the same errors, and the stack pointer restore.
 */
import type { CallQueue } from './call-queue.ts'
import {
  type AnyFunction,
  type CallContext,
  callImport,
  callWith,
  type Driver,
  entry,
  exactly,
  type Fixed,
  reentrantSuspend,
  resolved,
  restoreStackPointer,
  type Start,
  spreading,
} from './calls.ts'
import { isThenable, toWasm } from './convert.ts'

/** The JSPI API (not yet in TypeScript's lib). */
interface Jspi {
  Suspending: new (fn: AnyFunction) => object
  promising(fn: AnyFunction): (...args: unknown[]) => Promise<unknown>
}

export function hasJspi(): boolean {
  const wasm = WebAssembly as unknown as Partial<Jspi>
  return typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function'
}

export function createJspiDriver(ctx: CallContext, queue: CallQueue): Driver {
  const jspi = WebAssembly as unknown as Jspi
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
  const call = (raw: AnyFunction, args: unknown[]) => callWith(promisingFor(raw), args) as Promise<unknown>

  const ok = (result: unknown) => {
    queue.settled()
    return result
  }
  const failed = (error: unknown) => {
    restoreStackPointer(ctx)
    queue.settled()
    throw error
  }

  /**
   * An export that cannot reach a suspending import (the build proved it: `reachesAsyncImport`) runs like a
   * plain call: no stack for `promising` to allocate, which is most of a short call's cost under JSPI.
   */
  const direct =
    (raw: AnyFunction): Start =>
    (a, b, c, d) => {
      let result: unknown
      try {
        result = raw(a, b, c, d)
      } catch (error) {
        restoreStackPointer(ctx)
        queue.done()
        return Promise.reject(error)
      }
      queue.done()
      return resolved(result)
    }

  return {
    suspending(fn, im) {
      const count = im.sig?.params.length ?? 0
      const invoke = exactly(fn, count)
      const convert = toWasm(im.sig?.results ?? [])
      const body: Fixed = (a, b, c, d) => {
        const value = callImport(ctx, invoke, a, b, c, d)
        if (!isThenable(value)) return convert(value)
        // JSPI could suspend just the nested stack, but the outer call would then run on (and move) the
        // shadow stack under it; refuse it exactly like the Asyncify mode does.
        if (ctx.depth > 0) throw reentrantSuspend(ctx, im, value)
        // A rejection is thrown into wasm at the import and leaves through `promising` unchanged.
        return Promise.resolve(value).then(convert)
      }
      return new jspi.Suspending(entry(body, count))
    },

    starter(raw, entry, spread) {
      if (entry.reachesAsyncImport === false) return direct(spread ? spreading(raw) : raw)
      const promising = spread ? spreading(promisingFor(raw)) : promisingFor(raw)
      return (a, b, c, d) => {
        let call: Promise<unknown>
        try {
          call = promising(a, b, c, d)
        } catch (error) {
          // arguments the engine cannot convert (a number for an i64) throw before anything ran
          queue.done()
          return Promise.reject(error)
        }
        return queue.hold(call.then(ok, failed))
      }
    },

    nested: call,
  }
}
