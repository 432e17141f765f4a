/**
 * Every error the runtime raises itself. Messages follow `Failed to <verb> "<what>": <cause>. <fix>`;
 * tests and callers match on the stable `code`, never on the wording.
 */

export type AsyncifyErrorCode =
  | 'ASYNCIFY_META_UNSUPPORTED'
  | 'ASYNCIFY_JSPI_UNAVAILABLE'
  | 'ASYNCIFY_SOURCE_MISSING'
  | 'ASYNCIFY_LOAD_FAILED'
  | 'ASYNCIFY_NOT_ASYNCIFIED'
  | 'ASYNCIFY_MEMORY_NOT_FOUND'
  | 'ASYNCIFY_BUFFER_REQUIRED'
  | 'ASYNCIFY_BUFFER_INVALID'
  | 'ASYNCIFY_BUFFER_ALLOC_FAILED'
  | 'ASYNCIFY_STACK_OVERFLOW'
  | 'ASYNCIFY_INSTANCE_POISONED'
  | 'ASYNCIFY_IMPORT_NOT_ASYNC'
  | 'ASYNCIFY_REENTRANT_SUSPEND'
  | 'ASYNCIFY_SYNC_SUSPEND'
  | 'ASYNCIFY_UNWIND_FAILED'
  | 'ASYNCIFY_NOT_INSTRUMENTED'
  | 'ASYNCIFY_NOT_IN_PROFILE'
  | 'ASYNCIFY_IMPORT_MISSING'
  | 'ASYNCIFY_OPTION_INVALID'
  | 'ASYNCIFY_NATIVE_STACK_OVERFLOW'
  | 'ASYNCIFY_STACK_ALLOC_FAILED'
  | 'ASYNCIFY_INSTANCE_CLOSED'

export class AsyncifyRuntimeError extends Error {
  /** Stable identifier of the failure; see docs/runtime.md for the table. */
  readonly code: AsyncifyErrorCode

  constructor(code: AsyncifyErrorCode, message: string, cause?: unknown) {
    super(`[unplugin-asyncify] ${message}`, cause === undefined ? undefined : { cause })
    this.name = 'AsyncifyRuntimeError'
    this.code = code
  }
}

/** `Failed to <action>: <cause>. <fix>` with a stable code. */
export function fail(
  code: AsyncifyErrorCode,
  action: string,
  cause: string,
  fix: string,
  from?: unknown,
): AsyncifyRuntimeError {
  return new AsyncifyRuntimeError(code, `Failed to ${action}: ${cause}. ${fix}`, from)
}

/** `"game.wasm"`, or a neutral name when the build did not record one. */
export function fileLabel(file: string | undefined): string {
  return file ? `"${file}"` : 'the wasm module'
}
