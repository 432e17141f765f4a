/** @unplugin-asyncify/core: run Binaryen's Asyncify on a .wasm and describe the result for the runtime. */

export type {
  BufferMeta,
  ExportMeta,
  ExternKind,
  FuncSig,
  ImportMeta,
  MemoryMeta,
  StackMeta,
  ValType,
  WasmMeta,
} from '@unplugin-asyncify/runtime'
export {
  type AsyncifyContext,
  type AsyncifyResult,
  asyncify,
  cachedAsyncify,
  prepareJspi,
} from './asyncify.ts'
export { closePool } from './binaryen/pool.ts'
export { AsyncifyError, type AsyncifyErrorCode } from './errors.ts'
export { type DtsOptions, genDts } from './glue/dts.ts'
export { type GlueOptions, type GlueRecorder, type GlueSource, type GlueWasi, genGlue } from './glue/js.ts'
export { jsString } from './glue/literal.ts'
export {
  type AsyncifyOptions,
  DEFAULT_STACK_SIZE,
  type NameList,
  OPTION_KEYS,
  type ResolveContext,
  type ResolvedAsyncifyOptions,
  resolveOptions,
  WASI_ASYNC_IMPORTS,
} from './options.ts'
export { PROFILE_SUFFIX, profilePath } from './profile.ts'
export { type BuildReport, formatBytes, formatReport } from './report.ts'
