/**
 * Every error a user of the core API, the CLI or a bundler adapter can see. Messages read
 * `Failed to asyncify "<file>": <cause>. <fix>`; tests and callers branch on `code`, never on the wording.
 */

export type AsyncifyErrorCode =
  | 'ASYNCIFY_UNKNOWN_OPTION'
  | 'ASYNCIFY_INVALID_OPTION'
  | 'ASYNCIFY_LIST_FILE'
  | 'ASYNCIFY_READ_FAILED'
  | 'ASYNCIFY_WRITE_FAILED'
  | 'ASYNCIFY_NOT_WASM'
  | 'ASYNCIFY_INVALID_WASM'
  | 'ASYNCIFY_ALREADY_ASYNCIFIED'
  | 'ASYNCIFY_TAIL_CALL'
  | 'ASYNCIFY_CALL_REF'
  | 'ASYNCIFY_TRY_TABLE'
  | 'ASYNCIFY_PAUSE_IN_CATCH'
  | 'ASYNCIFY_REFERENCE_LOCALS'
  | 'ASYNCIFY_MULTIPLE_MEMORIES'
  | 'ASYNCIFY_NO_NAME_SECTION'
  | 'ASYNCIFY_PROFILE_INVALID'
  | 'ASYNCIFY_UNKNOWN_ASYNCIFY_IMPORT'
  | 'ASYNCIFY_BINARYEN_FAILED'
  | 'ASYNCIFY_WORKER_CRASHED'

export class AsyncifyError extends Error {
  override name = 'AsyncifyError'
  readonly code: AsyncifyErrorCode
  /** The input file, relative to the project root, when known. */
  file?: string
  /** What Binaryen printed while failing (already part of the message when short). */
  binaryenOutput?: string

  constructor(code: AsyncifyErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options?.file !== undefined) this.file = options.file
  }
}

/** The plain-data form an error takes to cross the worker boundary. */
export interface SerializedAsyncifyError {
  code: AsyncifyErrorCode
  cause: string
  fix: string
  binaryenOutput?: string
}

/** `Failed to asyncify "<file>": <cause>. <fix>`; `file` falls back to a neutral word for in-memory bytes. */
export function formatFailure(file: string | undefined, cause: string, fix: string): string {
  const trimmedCause = cause.trim().replace(/[.\s]+$/, '')
  const fixText = fix.trim()
  return `Failed to asyncify "${file ?? '<bytes>'}": ${trimmedCause}.${fixText ? ` ${fixText}` : ''}`
}

export function asyncifyError(
  code: AsyncifyErrorCode,
  file: string | undefined,
  cause: string,
  fix: string,
  extra?: { cause?: unknown; binaryenOutput?: string },
): AsyncifyError {
  const error = new AsyncifyError(code, formatFailure(file, cause, fix), { file, cause: extra?.cause })
  if (extra?.binaryenOutput) error.binaryenOutput = extra.binaryenOutput
  return error
}

/** The user-facing error for a failure found without the file name (in a worker, or by a shared check). */
export function fromFailure(failure: TransformFailure, file: string | undefined): AsyncifyError {
  return asyncifyError(failure.code, file, failure.message, failure.fix, {
    binaryenOutput: failure.binaryenOutput,
  })
}

/** Rebuild an error the worker reported as data, adding the file name the worker does not know. */
export function fromSerialized(serialized: SerializedAsyncifyError, file: string | undefined): AsyncifyError {
  return asyncifyError(serialized.code, file, serialized.cause, serialized.fix, {
    binaryenOutput: serialized.binaryenOutput,
  })
}

/** A worker-side failure with a stable code; `transform()` throws these and the worker serializes them. */
export class TransformFailure extends Error {
  readonly code: AsyncifyErrorCode
  readonly fix: string
  binaryenOutput?: string
  /** Binaryen aborted: its heap is in an unknown state and the worker must be replaced. */
  restart = false
  constructor(code: AsyncifyErrorCode, cause: string, fix: string, binaryenOutput?: string) {
    super(cause)
    this.code = code
    this.fix = fix
    if (binaryenOutput) this.binaryenOutput = binaryenOutput
  }
  toJSON(): SerializedAsyncifyError {
    return { code: this.code, cause: this.message, fix: this.fix, binaryenOutput: this.binaryenOutput }
  }
}
