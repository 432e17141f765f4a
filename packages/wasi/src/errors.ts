/**
 * Errors of the WASI layer. Messages follow `Failed to <action>: <cause>. <fix>`; callers match on `code`.
 * `WasiExit` is not an error of ours but the program's own exit, for the calls that cannot resolve with it.
 */

export type WasiErrorCode = 'WASI_EXITED' | 'WASI_INVALID_OPTION' | 'WASI_NO_MEMORY' | 'WASI_HOST_FS'

export class WasiError extends Error {
  readonly code: WasiErrorCode
  /** For `WASI_EXITED`: the status the program exited with. */
  readonly exitCode?: number

  constructor(code: WasiErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(
      `[unplugin-asyncify/wasi] ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'WasiError'
    this.code = code
    if (options?.exitCode !== undefined) this.exitCode = options.exitCode
  }
}

/** `Failed to <action>: <cause>. <fix>` with a stable code. */
export function fail(
  code: WasiErrorCode,
  action: string,
  cause: string,
  fix: string,
  options?: { cause?: unknown; exitCode?: number },
): WasiError {
  return new WasiError(code, `Failed to ${action}: ${cause}. ${fix}`, options)
}

/**
 * The program called `exit()` (WASI `proc_exit`) inside an export other than `_start`: that call rejects
 * with this. `_start` resolves with `{ exitCode }` instead.
 */
export class WasiExit extends Error {
  readonly exitCode: number

  constructor(exitCode: number) {
    super(`the program exited with code ${exitCode}`)
    this.name = 'WasiExit'
    this.exitCode = exitCode
  }
}

/** `"lua.wasm"`, or a neutral name. */
export function fileLabel(file: string | undefined): string {
  return file ? `"${file}"` : 'the wasm module'
}
