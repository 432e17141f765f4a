/**
 * Pausing with JSPI (`WebAssembly.Suspending` + `WebAssembly.promising`) on the original, non-asyncified
 * module: the engine suspends the wasm stack itself. The shared wrappers keep what JSPI does not give:
 * FIFO calls (the C shadow stack is shared by all calls), the same errors, and the stack pointer restore.
 */
import {
  type AnyFunction,
  type CallContext,
  callImport,
  callWith,
  type Driver,
  reentrantSuspend,
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

export function createJspiDriver(ctx: CallContext): Driver {
  const jspi = WebAssembly as unknown as Jspi
  const promisingOf = new Map<AnyFunction, (...args: unknown[]) => Promise<unknown>>()
  // Every call goes through `promising`, nested ones too: a Suspending import reached outside of it
  // throws SuspendError even when it does not pause.
  const call = (raw: AnyFunction, args: unknown[]): Promise<unknown> => {
    let promising = promisingOf.get(raw)
    if (!promising) {
      promising = jspi.promising(raw)
      promisingOf.set(raw, promising)
    }
    return callWith(promising, args) as Promise<unknown>
  }

  return {
    suspending(fn, im) {
      const results = im.sig?.results ?? []
      return new jspi.Suspending((...args: unknown[]) => {
        const value = callImport(ctx, fn, args)
        if (!isThenable(value)) return toWasm(results, value)
        // JSPI could suspend just the nested stack, but the outer call would then run on (and move) the
        // shadow stack under it; refuse it exactly like the Asyncify mode does.
        if (ctx.depth > 0) throw reentrantSuspend(ctx, im, value)
        // A rejection is thrown into wasm at the import and leaves through `promising` unchanged.
        return Promise.resolve(value).then((settled) => toWasm(results, settled))
      })
    },

    run(raw, args, _name, settled) {
      const sp = ctx.sp?.value
      return call(raw, args).then(
        (result) => {
          settled()
          return result
        },
        (error: unknown) => {
          // the frames the failed call left on the shadow stack are freed before the next queued call starts
          if (ctx.sp) ctx.sp.value = sp
          settled()
          throw error
        },
      )
    },

    nested: call,
  }
}
