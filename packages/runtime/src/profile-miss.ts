/**
 * A build from a profile instruments only the functions a recording saw on the stack at a pause. A pause on a
 * path no recording saw is caught before it can do harm (Binaryen's `asyncify-asserts` trap in the first
 * function that was not instrumented; the runtime refuses a pause in an export or an import the build marked
 * as unable to pause) and rejects with this error instead of resuming into code that would start over.
 */
import { type AsyncifyRuntimeError, fail } from './errors.ts'
import type { WasmMeta } from './meta.ts'

/** `what` (`function "f" (wasm-function[12])`, `export "run"`, `import "env.x"`) was left out by the profile. */
export function notInProfile(
  meta: WasmMeta,
  action: string,
  detail: string,
  what: string,
  from?: unknown,
): AsyncifyRuntimeError {
  return fail(
    'ASYNCIFY_NOT_IN_PROFILE',
    action,
    `${detail}; ${what} is not in the profile "${meta.profile}" (no recording saw a pause there), so the build did not instrument it`,
    "Record the profile again along this path (profile: 'record', then run it in development or in tests)",
    from,
  )
}
