/**
 * The WASI layer the generated glue uses for modules that import `wasi_snapshot_preview1`, re-exported so
 * projects can name its types (`WasiOptions`, `StdinSource`, …) or instantiate a WASI program by hand.
 *
 * @module
 */

export * from '@unplugin-asyncify/wasi'
