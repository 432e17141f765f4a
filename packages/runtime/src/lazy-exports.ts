/** Named exports that exist before the module does: what the glue exports without top-level await. */
import type { AnyFunction } from './calls.ts'
import type { WasmMeta } from './meta.ts'
import type { AsyncifyInstance } from './types.ts'

/**
 * One promise-returning function per function export of `meta`. The first call runs `init()` (once; again
 * after a failure, so a network error can be retried); calls made before it finishes keep their order.
 */
export function lazyExports(
  meta: WasmMeta,
  init: () => Promise<AsyncifyInstance>,
): Record<string, (...args: any[]) => Promise<any>> {
  let ready: Promise<AsyncifyInstance> | undefined
  const instance = (): Promise<AsyncifyInstance> => {
    ready ??= init().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }
  const out: Record<string, AnyFunction> = Object.create(null)
  for (const { name, kind } of meta.exports) {
    if (kind !== 'function') continue
    const lazy = (...args: unknown[]) =>
      instance().then((inst) => (inst.exports[name] as AnyFunction)(...args))
    Object.defineProperty(lazy, 'name', { value: name })
    out[name] = lazy
  }
  return Object.freeze(out)
}
