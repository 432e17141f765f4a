// What a browser engine's WebAssembly can do, asked in the page: JSPI through its API, every other feature
// by validating the smallest module that needs it. The modules' text is beside each one; features.test.ts
// checks that the bytes decode to it, so a "no" is never a typo.

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
const VOID_TYPE = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00] // (type (func))
const ONE_FUNCTION = [0x03, 0x02, 0x01, 0x00] // one function of type 0

/** @type {Record<string, { wat: string, bytes: number[] }>} */
export const FEATURE_MODULES = {
  /** Two memories: what Binaryen's asyncify-in-secondary-memory needs. */
  multiMemory: {
    wat: '(module (memory 1) (memory 1))',
    bytes: [...HEADER, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01],
  },
  memory64: {
    wat: '(module (memory i64 1))',
    bytes: [...HEADER, 0x05, 0x03, 0x01, 0x04, 0x01],
  },
  /** Shared memory (threads); a page also needs cross-origin isolation to create one. */
  sharedMemory: {
    wat: '(module (memory 1 1 shared))',
    bytes: [...HEADER, 0x05, 0x04, 0x01, 0x03, 0x01, 0x01],
  },
  /** Tail calls: Asyncify refuses them, so only JSPI can run such code paused. */
  tailCall: {
    wat: '(module (func (return_call 0)))',
    bytes: [...HEADER, ...VOID_TYPE, ...ONE_FUNCTION, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x12, 0x00, 0x0b],
  },
  /** Exception handling with exnref (try_table). */
  exnref: {
    wat: '(module (func (try_table)))',
    bytes: [
      ...HEADER,
      ...VOID_TYPE,
      ...ONE_FUNCTION,
      0x0a,
      0x08,
      0x01,
      0x06,
      0x00,
      0x1f,
      0x40,
      0x00,
      0x0b,
      0x0b,
    ],
  },
  /** The legacy exception handling (try/catch) that Emscripten builds used. */
  legacyExceptions: {
    wat: '(module (func (try (do))))',
    bytes: [...HEADER, ...VOID_TYPE, ...ONE_FUNCTION, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x06, 0x40, 0x0b, 0x0b],
  },
  simd: {
    wat: '(module (func (result v128) (v128.const i64x2 0 0)))',
    bytes: [
      ...HEADER,
      ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b],
      ...ONE_FUNCTION,
      ...[0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array(16).fill(0), 0x0b],
    ],
  },
}

/**
 * The engine's features, probed in `page` (any EnginePage or playwright Page).
 * @param {{ evaluate: Function }} page
 * @returns {Promise<import('./features.mjs').EngineFeatures>}
 */
export function probeFeatures(page) {
  const modules = Object.fromEntries(
    Object.entries(FEATURE_MODULES).map(([name, { bytes }]) => [name, bytes]),
  )
  return page.evaluate((modules) => {
    const valid = (bytes) => {
      try {
        return WebAssembly.validate(new Uint8Array(bytes))
      } catch {
        return false
      }
    }
    const features = {
      jspi: typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function',
    }
    for (const name of Object.keys(modules)) features[name] = valid(modules[name])
    return features
  }, modules)
}

/**
 * What the engines of the Debian packages tested here have (docs/engines.md). engines.test.ts checks each
 * engine against it, and the browser tests read from it which mode `jspi: 'auto'` must pick.
 * @type {Record<import('./engines.mjs').EngineName, import('./features.mjs').EngineFeatures>}
 */
export const ENGINE_FEATURES = {
  chromium: {
    jspi: true,
    multiMemory: true,
    memory64: true,
    sharedMemory: true,
    tailCall: true,
    exnref: true,
    legacyExceptions: true,
    simd: true,
  },
  firefox: {
    jspi: true,
    multiMemory: true,
    memory64: true,
    sharedMemory: true,
    tailCall: true,
    exnref: true,
    legacyExceptions: true,
    simd: true,
  },
  webkit: {
    jspi: false,
    multiMemory: false,
    memory64: false,
    sharedMemory: true,
    tailCall: true,
    exnref: true,
    legacyExceptions: true,
    simd: true,
  },
}
