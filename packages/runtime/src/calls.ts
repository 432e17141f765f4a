/**
 * Calls across the JS/wasm boundary, the part both modes share: wrapping the user's imports, wrapping
 * exports into promise-returning functions (queued, nested or refused), and restoring the C shadow stack
 * pointer when a call fails. The mode-specific part (how a call pauses) is a `Driver`.
 */
import type { CallQueue } from './call-queue.ts'
import { isThenable, silence, toWasm } from './convert.ts'
import { type AsyncifyRuntimeError, fail, fileLabel } from './errors.ts'
import type { ExportMeta, ImportMeta, WasmMeta } from './meta.ts'

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
  /**
   * Its value between calls, read once after instantiation. Top-level calls run one at a time and each
   * leaves the pointer where it found it (a failed one is restored), so this is its value at the entry of
   * every top-level call, and the hot path needs no read of `sp.value` (a host call, most of a short call).
   */
  spBase?: number | bigint
}

/**
 * Runs one top-level call of an export; the wrapper has taken the queue's turn for it. Up to four arguments
 * are passed as they are (a fixed-count call is the engine's fast path into wasm; extra `undefined`s are
 * ignored by wasm); an export with more parameters gets one array (see `wrapExports`). It returns the
 * call's promise and gives the turn back: `queue.done()` when the call finished without pausing, else it
 * returns `queue.hold(promise)` and calls `queue.settled()` once the call is over.
 */
export type Start = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => Promise<unknown>

/** How many arguments `Start` and `Fixed` pass one by one; more go as one array, spread at the last moment. */
export const FIXED = 4

export interface Driver {
  /** The value to put in the import object for a suspending import. */
  suspending(fn: AnyFunction, im: ImportMeta): unknown
  /**
   * The `Start` of one export, made once per export, so each has its own call site into wasm. With
   * `spread`, it gets the arguments as one array.
   */
  starter(raw: AnyFunction, entry: ExportMeta, spread: boolean): Start
  /** Runs a nested call synchronously (it cannot pause): its value, or a promise of it. */
  nested(raw: AnyFunction, args: unknown[]): unknown
}

/**
 * Frees the frames a failed top-level call left on the C shadow stack: the pointer goes back to its value
 * between calls, before the next queued call starts.
 */
export function restoreStackPointer(ctx: CallContext): void {
  if (ctx.sp) ctx.sp.value = ctx.spBase as number
}

/** A promise of `value`; an async function makes it faster than `Promise.resolve` in V8. */
export const resolved = async (value: unknown): Promise<unknown> => value

/** `fn` called with one array that it spreads: how `Start` passes more than four arguments. */
export function spreading(fn: AnyFunction): AnyFunction {
  return (args: unknown[]) => fn(...args)
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

/** A function called with up to four arguments; see `Start`, `exactly` and `entry`. */
export type Fixed = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown

/**
 * `fn` called with exactly `count` arguments out of four fixed ones (a user's import may look at
 * `arguments.length` or a rest parameter), or, above four, with one array that it spreads.
 */
export function exactly(fn: AnyFunction, count: number): Fixed {
  switch (count) {
    case 0:
      return () => fn()
    case 1:
      return (a) => fn(a)
    case 2:
      return (a, b) => fn(a, b)
    case 3:
      return (a, b, c) => fn(a, b, c)
    case 4:
      return (a, b, c, d) => fn(a, b, c, d)
    default:
      return spreading(fn)
  }
}

/** What wasm calls for an import with `count` parameters: `body` itself, or above four a front that packs them. */
export function entry(body: Fixed, count: number): AnyFunction {
  return count <= FIXED ? body : (...args: unknown[]) => body(args)
}

/** Runs a user import (made by `exactly`), counting it as "JS running inside this instance". */
export function callImport(
  ctx: CallContext,
  invoke: Fixed,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
): unknown {
  ctx.depth++
  try {
    return invoke(a, b, c, d)
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
  const count = im.sig?.params.length ?? 0
  const invoke = exactly(fn, count)
  const convert = toWasm(im.sig?.results ?? [])
  return entry((a, b, c, d) => {
    const value = callImport(ctx, invoke, a, b, c, d)
    if (!isThenable(value)) return convert(value)
    silence(value)
    // Thrown into wasm, it unwinds the call like any JS exception; the call rejects with it.
    throw fail(
      'ASYNCIFY_IMPORT_NOT_ASYNC',
      `call import ${importLabel(im)} of ${fileLabel(ctx.meta.file)}`,
      'it returned a Promise, but the build did not mark it as an async import, so the program cannot wait for it',
      `Add "${im.module}.${im.name}" to the asyncImports option`,
    )
  }, count)
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
 * The promise-returning exports. When the instance is idle a call starts at once (synchronously, like an
 * async function until its first await); while another call runs or is paused it waits in the FIFO
 * queue; inside an import (nested) it runs at once. Functions exported twice share one wrapper.
 */
export function wrapExports(
  ctx: CallContext,
  instance: WebAssembly.Instance,
  driver: Driver,
  queue: CallQueue,
): Record<string, unknown> {
  const out: [string, unknown][] = []
  const wrappers = new Map<unknown, AnyFunction>()
  // The hot path: an idle instance (most calls) takes the turn and starts; the rest is `waitOrNest`.
  const idle = () => !(queue.busy || ctx.depth > 0 || ctx.poison)
  for (const entry of ctx.meta.exports) {
    const { name } = entry
    const raw = instance.exports[name] as AnyFunction
    if (typeof raw !== 'function') {
      out.push([name, raw])
      continue
    }
    let wrapper = wrappers.get(raw)
    if (!wrapper) {
      if (raw.length <= FIXED) {
        const start = driver.starter(raw, entry, false)
        wrapper = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => {
          if (!idle()) return waitOrNest(ctx, driver, queue, raw, [a, b, c, d], () => start(a, b, c, d))
          queue.busy = true
          return start(a, b, c, d)
        }
      } else {
        const start = driver.starter(raw, entry, true)
        wrapper = (...args: unknown[]) => {
          if (!idle()) return waitOrNest(ctx, driver, queue, raw, args, () => start(args))
          queue.busy = true
          return start(args)
        }
      }
      Object.defineProperties(wrapper, { name: { value: name }, length: { value: raw.length } })
      wrappers.set(raw, wrapper)
    }
    out.push([name, wrapper])
  }
  return exportsObject(out)
}

/**
 * A frozen object with no prototype, holding `entries`. Built from entries, not with `Object.create(null)`:
 * V8 keeps that one in dictionary mode, and then `exports.name` lookups cost a call several nanoseconds.
 */
export function exportsObject<T>(entries: [string, T][]): Record<string, T> {
  const out = Object.fromEntries(entries)
  Object.setPrototypeOf(out, null)
  return Object.freeze(out)
}

/** A call that cannot start at once: refused (poisoned), nested (runs now), or queued (starts later). */
function waitOrNest(
  ctx: CallContext,
  driver: Driver,
  queue: CallQueue,
  raw: AnyFunction,
  args: unknown[],
  start: () => Promise<unknown>,
): Promise<unknown> {
  if (ctx.poison) return Promise.reject(ctx.poison)
  if (ctx.depth > 0) return nested(ctx, driver, raw, args)
  return queue.turn().then(() => {
    // a queued call may start after an earlier one poisoned the instance
    if (!ctx.poison) return start()
    queue.done()
    throw ctx.poison
  })
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
