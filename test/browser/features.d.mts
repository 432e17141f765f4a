// Types of features.mjs.
import type { EngineName } from './engines.mjs'

export interface EngineFeatures {
  /** WebAssembly.Suspending and WebAssembly.promising (JS promise integration). */
  jspi: boolean
  multiMemory: boolean
  memory64: boolean
  sharedMemory: boolean
  tailCall: boolean
  exnref: boolean
  legacyExceptions: boolean
  simd: boolean
}

export declare const FEATURE_MODULES: Record<
  Exclude<keyof EngineFeatures, 'jspi'>,
  { wat: string; bytes: number[] }
>
export declare function probeFeatures(page: { evaluate: Function }): Promise<EngineFeatures>
export declare const ENGINE_FEATURES: Record<EngineName, EngineFeatures>
