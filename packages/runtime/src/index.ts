/**
 * @unplugin-asyncify/runtime: runs an asyncified WebAssembly module (or its original under JSPI) with
 * promise-returning exports. Zero dependencies; browsers, workers and Node 20+.
 */
export { type AsyncifyErrorCode, AsyncifyRuntimeError } from './errors.ts'
export { instantiate } from './instantiate.ts'
export { lazyExports } from './lazy-exports.ts'
export type * from './meta.ts'
export type {
  AsyncifyInstance,
  AsyncifyMode,
  InstantiateOptions,
  PauseInfo,
  Promisified,
  SourceInput,
  UnwindBufferInfo,
  WasmSource,
  WasmSources,
  WasmValue,
} from './types.ts'
