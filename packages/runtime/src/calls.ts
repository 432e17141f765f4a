/**
 * Calls across the JS/wasm boundary, the part both modes share: wrapping the user's imports, wrapping
 * exports into promise-returning functions (queued, nested or refused), and restoring the C shadow stack
 * pointer when a call fails. The mode-specific part (how a call pauses) is a `Driver`.
 */
import { isThenable, silence, toWasm } from './convert.ts'
import { type AsyncifyRuntimeError, fail, fileLabel } from './errors.ts'
import type { ExportMeta, ImportMeta, WasmMeta } from './meta.ts'
import { notInProfile } from './profile-miss.ts'
import type { Scheduler } from './scheduler.ts'
import type { ShadowStack } from './shadow-stack.ts'
import type { AsyncifyMode, PauseInfo } from './types.ts'

export type AnyFunction = (...args: any[]) => any

/** Per-instance state shared by the wrappers and the driver. */
export interface CallContext {
  meta: WasmMeta
  /**
   * How many user imports of this instance are running right now, synchronously. Above zero, wasm of this
   * instance is on the stack under a JS frame: an export called now is nested and must not pause.
   */
  depth: number
  /**
   * Set once the instance cannot be used any more (an overflow wrote outside memory the runtime owns, or
   * `close()`): every later call rejects with it, and a paused call rejects with it instead of resuming.
   */
  poison?: unknown
  /** The C shadow stack (a no-op for modules without one). */
  stack: ShadowStack
  /** The compiled module, for function names in error messages. */
  module?: WebAssembly.Module
  /** `options.onPause`: told about every pause (record mode). */
  onPause?: ((pause: PauseInfo) => void) | undefined
}

/**
 * Runs one top-level call of an export; the wrapper has counted it in `scheduler.active`. Up to four
 * arguments are passed as they are (a fixed-count call is the engine's fast path into wasm; extra
 * `undefined`s are ignored by wasm); an export with more parameters gets one array (see `wrapExports`). It
 * returns the call's promise and calls `scheduler.done()` once the call is over.
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

/** Tells `onPause` (record mode) that `im` is about to pause, while the paused frames are still on the stack. */
export function reportPause(ctx: CallContext, im: ImportMeta, mode: AsyncifyMode): void {
  ctx.onPause!({ import: `${im.module}.${im.name}`, mode, module: ctx.module! })
}

/**
 * Asyncify mode: a suspending import returned a promise while another import of this instance is on the JS
 * stack. Unwinding would have to go through that JS frame, which Asyncify cannot save.
 */
export function reentrantSuspend(
  ctx: CallContext,
  im: ImportMeta,
  value: PromiseLike<unknown>,
): AsyncifyRuntimeError {
  silence(value)
  return fail(
    'ASYNCIFY_REENTRANT_SUSPEND',
    `pause in import ${importLabel(im)} of ${fileLabel(ctx.meta.file)}`,
    'this export was called synchronously from inside another import (a nested, re-entrant call, wasm -> JS -> wasm), and Asyncify cannot pause through the JS frame in between',
    'Call the export from the import after an await (then it runs as a call of its own and may pause), keep the nested path synchronous, or use JSPI, which can pause there',
  )
}

/**
 * The engine's own stack ran out inside a call (V8, JavaScriptCore: RangeError "Maximum call stack size
 * exceeded"; SpiderMonkey: InternalError "too much recursion"). Asyncified functions have much bigger native
 * frames than the originals, so recursion that works natively can hit this; the call rejects, the instance
 * stays usable.
 */
export function nativeOverflow(
  ctx: CallContext,
  name: string,
  error: unknown,
): AsyncifyRuntimeError | undefined {
  if (!(error instanceof Error) || !/maximum call stack size|too much recursion/i.test(error.message))
    return undefined
  return fail(
    'ASYNCIFY_NATIVE_STACK_OVERFLOW',
    `call export "${name}" of ${fileLabel(ctx.meta.file)}`,
    `the engine's stack overflowed (${error.message}): the program recursed deeper than the JS engine allows, and Asyncify makes every instrumented frame larger than the original`,
    "Use JSPI where the engine has it (jspi: 'auto', no bigger frames), instrument fewer functions (asyncImports, a recorded profile), or give the engine a bigger stack (node --stack-size)",
    error,
  )
}

/** A call that overlaps others could not get a C stack of its own (the module's allocator failed). */
export function stackFailure(ctx: CallContext, name: string, error: unknown): AsyncifyRuntimeError {
  return fail(
    'ASYNCIFY_STACK_ALLOC_FAILED',
    `call export "${name}" of ${fileLabel(ctx.meta.file)}`,
    `it overlaps calls that are paused and needs a C stack of its own, but ${(error as Error)?.message ?? String(error)}`,
    'Lower the maxPausedCalls option, or let the module use more memory',
    error,
  )
}

/**
 * Asyncify mode: an import paused during a call of an export the build did not instrument (`ignoreIndirect`
 * or a list kept the pause's path out). Unwinding would resume that export from its start: a wrong result.
 */
export function notInstrumented(
  ctx: CallContext,
  im: ImportMeta,
  exportName: string,
  value: PromiseLike<unknown>,
): AsyncifyRuntimeError {
  silence(value)
  const action = `pause in import ${importLabel(im)} of ${fileLabel(ctx.meta.file)}`
  if (ctx.meta.profile) {
    return notInProfile(
      ctx.meta,
      action,
      `it returned a Promise during a call of export "${exportName}"`,
      'that export',
    )
  }
  return fail(
    'ASYNCIFY_NOT_INSTRUMENTED',
    action,
    `it returned a Promise during a call of export "${exportName}", which the build did not instrument (no call chain it could see leads from there to an async import), so the call cannot be paused and resumed correctly`,
    'The pause goes through a function pointer or a listed function: turn off ignoreIndirect, or add the functions on that path to addList (with propagateAddList), or record a profile',
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
    const action = `call import ${importLabel(im)} of ${fileLabel(ctx.meta.file)}`
    if (ctx.meta.profile) throw notInProfile(ctx.meta, action, 'it returned a Promise', 'that import')
    throw fail(
      'ASYNCIFY_IMPORT_NOT_ASYNC',
      action,
      'it returned a Promise, but the build did not mark it as an async import, so the program cannot wait for it',
      `Add "${im.module}.${im.name}" to the asyncImports option`,
    )
  }, count)
}

/** `object[key]` when it is the object's own property: wasm names never reach a prototype. */
function own(object: unknown, key: string): unknown {
  return object !== null &&
    (typeof object === 'object' || typeof object === 'function') &&
    Object.hasOwn(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined
}

/**
 * The import object handed to the engine: exactly the imports the module declares, functions wrapped. It and
 * its namespaces have no prototype, and the user's objects are read by own property only, so a module whose
 * imports are named `__proto__` or `constructor.keys` can neither read nor change a built-in.
 */
export function wrapImports(
  ctx: CallContext,
  user: WebAssembly.Imports,
  driver: Driver,
): WebAssembly.Imports {
  const out: Record<string, Record<string, unknown>> = Object.create(null)
  for (const im of ctx.meta.imports) {
    const value = own(own(user, im.module), im.name)
    if (value === undefined) throw missingImport(ctx, im, own(user, im.module) !== undefined)
    const namespace = own(out, im.module) ?? Object.create(null)
    out[im.module] = namespace as Record<string, unknown>
    ;(namespace as Record<string, unknown>)[im.name] =
      im.kind === 'function' && typeof value === 'function'
        ? im.suspending
          ? driver.suspending(value as AnyFunction, im)
          : plainImport(ctx, value as AnyFunction, im)
        : value
  }
  return out as WebAssembly.Imports
}

function missingImport(ctx: CallContext, im: ImportMeta, hasModule: boolean): AsyncifyRuntimeError {
  return fail(
    'ASYNCIFY_IMPORT_MISSING',
    `instantiate ${fileLabel(ctx.meta.file)}`,
    `the module imports ${im.kind === 'function' ? 'function' : im.kind} ${importLabel(im)}, and ${
      hasModule
        ? `the imports for "${im.module}" have no own property "${im.name}"`
        : `no imports for "${im.module}" were given`
    }`,
    `Pass it: init({ ${JSON.stringify(im.module)}: { ${JSON.stringify(im.name)}: ... } }), or name a JS module that exports it in the importModules option`,
  )
}

/**
 * The promise-returning exports. A call starts at once (synchronously, like an async function until its first
 * await) while fewer than `maxPausedCalls` calls are active, even when others are paused; beyond that it waits
 * in a FIFO queue. Inside an import (nested) it runs at once. Functions exported twice share one wrapper.
 */
export function wrapExports(
  ctx: CallContext,
  instance: WebAssembly.Instance,
  driver: Driver,
  scheduler: Scheduler,
): Record<string, unknown> {
  const out: [string, unknown][] = []
  const wrappers = new Map<unknown, AnyFunction>()
  // The hot path: nothing else active (most calls). The rest is `startOrWait`.
  const alone = () => scheduler.active === 0 && ctx.depth === 0 && ctx.poison === undefined
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
          if (!alone()) return startOrWait(ctx, driver, scheduler, raw, [a, b, c, d], () => start(a, b, c, d))
          scheduler.active = 1
          return start(a, b, c, d)
        }
      } else {
        const start = driver.starter(raw, entry, true)
        wrapper = (...args: unknown[]) => {
          if (!alone()) return startOrWait(ctx, driver, scheduler, raw, args, () => start(args))
          scheduler.active = 1
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

/** A call made while others are active: refused (poisoned), nested (runs now), started, or queued. */
function startOrWait(
  ctx: CallContext,
  driver: Driver,
  scheduler: Scheduler,
  raw: AnyFunction,
  args: unknown[],
  start: () => Promise<unknown>,
): Promise<unknown> {
  if (ctx.poison !== undefined) return Promise.reject(ctx.poison)
  if (ctx.depth > 0) return nested(ctx, driver, raw, args)
  if (scheduler.canStart()) {
    scheduler.active++
    return start()
  }
  return scheduler.turn().then(() => {
    // a queued call may start after an earlier one poisoned the instance
    if (ctx.poison === undefined) return start()
    scheduler.done()
    throw ctx.poison
  })
}

function nested(ctx: CallContext, driver: Driver, raw: AnyFunction, args: unknown[]): Promise<unknown> {
  const sp = ctx.stack.read()
  try {
    return Promise.resolve(driver.nested(raw, args))
  } catch (error) {
    return Promise.reject(error)
  } finally {
    // A nested call is over when it returns (or, under JSPI, has moved its frames out when it paused). On
    // success this is a no-op; after a throw it frees the frames the C epilogues never popped, before the
    // outer call touches the stack again.
    ctx.stack.set(sp)
  }
}
