/**
 * The slice of binaryen.js 132 we call, typed against the runtime: the package's index.d.ts lags behind
 * (`readBinary(data, features)`, `Features.All`, `getExceptionMessage` are missing or wrong there).
 */

export type TypeId = number

export interface BinaryenModule {
  getFeatures(): number
  setFeatures(features: number): void
  validate(): number
  emitText(): string
  emitBinary(): Uint8Array<ArrayBuffer>
  runPasses(passes: string[]): void
  optimize(): void
  dispose(): void
  getNumExports(): number
  getExportByIndex(index: number): number
  getNumFunctions(): number
  getFunctionByIndex(index: number): number
  getFunction(name: string): number
  getNumGlobals(): number
  getGlobalByIndex(index: number): number
  getGlobal(name: string): number
  getNumDataSegments(): number
  getDataSegmentByIndex(index: number): number
  getDataSegmentInfo(segment: number): { offset: number | null; data: ArrayBuffer; passive: boolean }
  hasMemory(): boolean
  getMemoryInfo(name?: string): {
    module: string | null
    base: string | null
    initial: number
    max?: number
    shared: boolean
    is64: boolean
  }
  setMemory(
    initial: number,
    maximum: number,
    exportName?: string | null,
    segments?: readonly unknown[] | null,
    shared?: boolean,
    memory64?: boolean,
    internalName?: string,
  ): void
  getExport(externalName: string): number
  addMemoryExport(internalName: string, externalName: string): number
  addFunctionExport(internalName: string, externalName: string): number
  addGlobalExport(internalName: string, externalName: string): number
}

export interface FunctionInfo {
  name: string
  module: string | null
  base: string | null
  params: TypeId
  results: TypeId
  vars: TypeId[]
}

export interface ExportInfo {
  kind: number
  name: string
  value: string
}

export interface GlobalInfo {
  name: string
  module: string | null
  base: string | null
  type: TypeId
  mutable: boolean
  /** Initializer expression (0 for imported globals). */
  init: number
}

export interface TableInfo {
  name: string
  module: string | null
  base: string | null
}

export interface Binaryen {
  readBinary(bytes: Uint8Array, features?: number): BinaryenModule
  Features: Record<string, number>
  ExternalFunction: number
  ExternalTable: number
  ExternalMemory: number
  ExternalGlobal: number
  ExternalTag: number
  none: TypeId
  i32: TypeId
  i64: TypeId
  f32: TypeId
  f64: TypeId
  v128: TypeId
  funcref: TypeId
  externref: TypeId
  anyref: TypeId
  eqref: TypeId
  i31ref: TypeId
  structref: TypeId
  arrayref: TypeId
  stringref: TypeId
  nullref: TypeId
  nullexternref: TypeId
  nullfuncref: TypeId
  exnref: TypeId
  expandType(type: TypeId): TypeId[]
  getFunctionInfo(ref: number): FunctionInfo
  getExportInfo(ref: number): ExportInfo
  getGlobalInfo(ref: number): GlobalInfo
  getExpressionId(expr: number): number
  getExpressionInfo(expr: number): { id: number; type: TypeId }
  ConstId: number
  getExceptionMessage(error: unknown): [string, string]
  setOptimizeLevel(level: number): void
  setShrinkLevel(level: number): void
  getOneCallerInlineMaxSize(): number
  setOneCallerInlineMaxSize(size: number): void
  setDebugInfo(on: boolean): void
  setGenerateStackIR(on: boolean): void
  setOptimizeStackIR(on: boolean): void
  setPassArgument(key: string, value: string | null): void
  clearPassArguments(): void
}

let loaded: Promise<Binaryen> | undefined

/** binaryen.js is ESM with top-level await (no require) and costs ~0.3 s: load it once, lazily, in the worker only. */
export function loadBinaryen(): Promise<Binaryen> {
  loaded ??= import('binaryen').then((mod) => (mod as unknown as { default: Binaryen }).default)
  return loaded
}
