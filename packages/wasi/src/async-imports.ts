/**
 * The WASI imports this package may answer with a promise, so the build must let them pause. Core adds
 * them to a user's `asyncImports` list (packages/core/src/options.ts keeps its own copy of this list, and
 * a test checks that both agree).
 * - `fd_read`: reading stdin waits for input.
 * - `poll_oneoff`: `sleep`, `nanosleep`, `usleep` and `poll()` on stdin wait for a timer or input.
 */
export const WASI_ASYNC_IMPORTS: readonly string[] = [
  'wasi_snapshot_preview1.fd_read',
  'wasi_snapshot_preview1.poll_oneoff',
]
