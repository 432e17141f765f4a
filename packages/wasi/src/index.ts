/**
 * @unplugin-asyncify/wasi: WASI preview1 for asyncified (or JSPI) WebAssembly, with the calls that block in
 * C really waiting: stdin reads wait for input, `sleep` waits on a timer, `exit` becomes a result.
 */
export { WASI_ASYNC_IMPORTS } from './async-imports.ts'
export { WasiError, type WasiErrorCode, WasiExit } from './errors.ts'
export type { FileContents } from './files.ts'
export {
  instantiateWasi,
  WASI_MODULE,
  type WasiExitStatus,
  type WasiInstance,
  type WasiInstantiateOptions,
} from './instantiate.ts'
export type { WasiOptions, WasiPreopen } from './options.ts'
export type { OutputSink } from './output.ts'
export type { StdinChunk, StdinSource } from './stdin.ts'
export { createWasi, type Wasi, type WasiImports } from './wasi.ts'
