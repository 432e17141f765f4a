/** Named exports that exist before the module does: what the glue exports without top-level await. */
import { type AnyFunction, exportsObject, FIXED } from './calls.ts'
import type { WasmMeta } from './meta.ts'
import type { AsyncifyInstance } from './types.ts'

/**
 * One promise-returning function per function export of `meta`. The first call runs `init()` (once; again
 * after a failure, so a network error can be retried); calls made before it finishes keep their order.
 * Once the instance is there and no earlier call still waits for it, a call goes straight to the
 * instance's export: no promise of its own.
 */
export function lazyExports(
  meta: WasmMeta,
  init: () => Promise<AsyncifyInstance>,
): Record<string, (...args: any[]) => Promise<any>> {
  let ready: Promise<AsyncifyInstance> | undefined
  let exports: Record<string, AnyFunction> | undefined
  /** Calls waiting for `ready`: until they started, later calls wait too (FIFO). */
  let waiting = 0
  const instance = (): Promise<AsyncifyInstance> => {
    ready ??= init().then(
      (inst) => {
        exports = inst.exports
        return inst
      },
      (error: unknown) => {
        ready = undefined
        throw error
      },
    )
    return ready
  }
  const later = (name: string, args: unknown[]): Promise<unknown> => {
    waiting++
    return instance().then(
      (inst) => {
        waiting--
        return (inst.exports[name] as AnyFunction)(...args)
      },
      (error: unknown) => {
        waiting--
        throw error
      },
    )
  }
  const out: [string, AnyFunction][] = []
  for (const { name, kind, sig } of meta.exports) {
    if (kind !== 'function') continue
    const count = sig?.params.length ?? 0
    let direct: AnyFunction | undefined
    /** The instance's wrapper, once there is an instance and no call waits for it. */
    const ready = (): AnyFunction | undefined => {
      if (waiting !== 0) return undefined
      if (!direct && exports) direct = exports[name]
      return direct
    }
    // Up to FIXED arguments pass one by one (see `Start` in calls.ts); the instance's wrapper ignores extras.
    const lazy =
      count <= FIXED
        ? (a?: unknown, b?: unknown, c?: unknown, d?: unknown) =>
            ready()?.(a, b, c, d) ?? later(name, [a, b, c, d])
        : (...args: unknown[]) => ready()?.(...args) ?? later(name, args)
    Object.defineProperties(lazy, { name: { value: name }, length: { value: count } })
    out.push([name, lazy])
  }
  return exportsObject(out)
}
