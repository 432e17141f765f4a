/**
 * Calls across the JS/wasm boundary, the part both modes share: wrapping the user's imports, wrapping
 * exports into promise-returning functions (queued, nested or refused), and restoring the C shadow stack
 * pointer when a call fails. The mode-specific part (how a call pauses) is a `Driver`.
 */
import type { CallQueue } from './call-queue.ts'
import { isThenable, silence, toWasm } from './convert.ts'
import { type AsyncifyRuntimeError, fail, fileLabel } from './errors.ts'
import type { ImportMeta, WasmMeta } from './meta.ts'

export type AnyFunction = (...args: any[]) => any

/** Per-instance state shared by the wrappers and the driver. */
export interface CallContext {
  meta: WasmMeta
  /**
   * How many user imports of this instance are running right now, synchronously. Above zero, wasm of this
   * instance is on the stack under a JS frame: an export called now is nested and must not pause.
   */
  depth: number
  /** Set once an overflow wrote outside memory the runtime owns; every later call rejects with it. */
  poison?: AsyncifyRuntimeError
  /** The exported C shadow stack pointer (`meta.stackPointerExport`), restored after a failed call. */
  sp?: WebAssembly.Global
}

export interface Driver {
  /** The value to put in the import object for a suspending import. */
  suspending(fn: AnyFunction, im: ImportMeta): unknown
  /**
   * Runs one top-level call to completion, pausing as often as needed: its result when it finished without
   * pausing, else a promise of it, and then `settled()` is called once the call is over (before the promise
   * settles), which lets the queue start the next call without a promise of its own.
   */
  run(raw: AnyFunction, args: unknown[], name: string, settled: () => void): unknown
  /** Runs a nested call synchronously (it cannot pause): its value, or a promise of it. */
  nested(raw: AnyFunction, args: unknown[]): unknown
}

/**
 * `raw(...args)` with the common argument counts spelled out: a call with a fixed count takes the engine's
 * fast JS-to-wasm path, a spread call does not (it is most of a short call's cost).
 */
export function callWith(raw: AnyFunction, args: unknown[]): unknown {
  switch (args.length) {
    case 0:
      return raw()
    case 1:
      return raw(args[0])
    case 2:
      return raw(args[0], args[1])
    case 3:
      return raw(args[0], args[1], args[2])
    default:
      return raw(...args)
  }
}

/** Runs a user import, counting it as "JS running inside this instance". */
export function callImport(ctx: CallContext, fn: AnyFunction, args: unknown[]): unknown {
  ctx.depth++
  try {
    return fn(...args)
  } finally {
    ctx.depth--
  }
}

export function importLabel(im: ImportMeta): string {
  return `"${im.module}.${im.name}"`
}

/** A suspending import returned a promise while another import of this instance is on the JS stack. */
export function reentrantSuspend(
  ctx: CallContext,
  im: ImportMeta,
  value: PromiseLike<unknown>,
): AsyncifyRuntimeError {
  silence(value)
  return fail(
    'ASYNCIFY_REENTRANT_SUSPEND',
    `pause in import ${importLabel(im)} of ${fileLabel(ctx.meta.file)}`,
    'this export was called synchronously from inside another import (a nested, re-entrant call), and a nested call cannot pause without breaking the call that is already running',
    'Call it after the outer call settles, or keep the nested path synchronous',
  )
}

/** Imports that must not pause still get checked: a promise returned there is a configuration error. */
function plainImport(ctx: CallContext, fn: AnyFunction, im: ImportMeta): AnyFunction {
  const results = im.sig?.results ?? []
  return (...args) => {
    const value = callImport(ctx, fn, args)
    if (!isThenable(value)) return toWasm(results, value)
    silence(value)
    // Thrown into wasm, it unwinds the call like any JS exception; the call rejects with it.
    throw fail(
      'ASYNCIFY_IMPORT_NOT_ASYNC',
      `call import ${importLabel(im)} of ${fileLabel(ctx.meta.file)}`,
      'it returned a Promise, but the build did not mark it as an async import, so the program cannot wait for it',
      `Add "${im.module}.${im.name}" to the asyncImports option`,
    )
  }
}

/** The import object handed to the engine: exactly the imports the module declares, functions wrapped. */
export function wrapImports(
  ctx: CallContext,
  user: WebAssembly.Imports,
  driver: Driver,
): WebAssembly.Imports {
  const out: Record<string, Record<string, unknown>> = {}
  for (const im of ctx.meta.imports) {
    // Read like the engine would (works with Proxy namespaces); a missing import stays missing: LinkError.
    const value = (user[im.module] as Record<string, unknown> | undefined)?.[im.name]
    out[im.module] ??= {}
    out[im.module][im.name] =
      im.kind === 'function' && typeof value === 'function'
        ? im.suspending
          ? driver.suspending(value as AnyFunction, im)
          : plainImport(ctx, value as AnyFunction, im)
        : value
  }
  return out as WebAssembly.Imports
}

/**
 * The promise-returning exports. Outside any call, or while another call is paused, a call goes through
 * the FIFO queue; inside an import (nested) it runs at once. Functions exported twice share one wrapper.
 */
export function wrapExports(
  ctx: CallContext,
  instance: WebAssembly.Instance,
  driver: Driver,
  queue: CallQueue,
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null)
  const wrappers = new Map<unknown, AnyFunction>()
  for (const { name } of ctx.meta.exports) {
    const raw = instance.exports[name] as AnyFunction
    if (typeof raw !== 'function') {
      out[name] = raw
      continue
    }
    let wrapper = wrappers.get(raw)
    if (!wrapper) {
      wrapper = (...args) => {
        if (ctx.poison) return Promise.reject(ctx.poison)
        if (ctx.depth > 0) return nested(ctx, driver, raw, args)
        return queue(raw, args, name)
      }
      Object.defineProperty(wrapper, 'name', { value: name })
      wrappers.set(raw, wrapper)
    }
    out[name] = wrapper
  }
  return Object.freeze(out)
}

function nested(ctx: CallContext, driver: Driver, raw: AnyFunction, args: unknown[]): Promise<unknown> {
  const sp = ctx.sp?.value
  try {
    return Promise.resolve(driver.nested(raw, args))
  } catch (error) {
    return Promise.reject(error)
  } finally {
    // A nested call is over when it returns (it cannot stay paused). On success this is a no-op; after a
    // throw it frees the frames the C epilogues never popped, before the outer call touches the stack again.
    if (ctx.sp) ctx.sp.value = sp
  }
}
