/**
 * Test builds through the real build step, `asyncify()` of @unplugin-asyncify/core (resolved from the
 * test package, like a user's bundler plugin would). `.wat` text is assembled with binaryen.js first.
 * Core caches its output, so a fixture costs Binaryen time once per content.
 */

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { WasmMeta } from '../../src/meta.ts'
import type { RecorderOptions } from '../../src/profile-recorder.ts'

export interface FixtureBuild {
  /** Asyncified + optimized bytes. */
  wasm: Uint8Array
  /** The same module, not asyncified (for JSPI); none for modules that drive Asyncify themselves. */
  jspiWasm?: Uint8Array
  meta: WasmMeta
  /** Record mode: the recorder's options for the glue. */
  recorder?: RecorderOptions
  report: { instrumented: number; totalFunctions: number; warnings: string[] }
}

export interface BuildOptions {
  /** `module.name` entries; default: every import may pause. */
  asyncImports?: string[]
  stackSize?: number
  /** Core options passed through, for tests that need a misconfigured build. */
  ignoreIndirect?: boolean
  asserts?: boolean
  removeList?: string[]
  keepNames?: boolean
  optimizeLevel?: 0 | 1 | 2 | 3 | 4
  /** Profile-guided instrumentation (core's `profile`, `profileFile`). */
  profile?: boolean | 'record'
  profileFile?: string
  /** Build mode (record mode records only in development). @default 'production' */
  mode?: 'development' | 'production'
  /** The input's path: where the default profile file is. */
  filename?: string
}

const here = fileURLToPath(new URL('.', import.meta.url))
const REPO = join(here, '../../../..')
export const FIXTURES: string = join(REPO, 'test/fixtures/wasm')

/** Bytes of a committed fixture in test/fixtures/wasm. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)))
}

const testRequire = createRequire(join(REPO, 'test/package.json'))

interface Core {
  asyncify(
    bytes: Uint8Array,
    options: object,
    context: object,
  ): Promise<Omit<FixtureBuild, 'wasm' | 'jspiWasm'> & { wasm: Uint8Array; jspiWasm?: Uint8Array }>
}
let core: Promise<Core> | undefined
let binaryen:
  | Promise<{
      parseText(text: string): { emitBinary(): Uint8Array; dispose(): void }
      setDebugInfo(on: boolean): void
    }>
  | undefined

/** `.wat` text to bytes, keeping names (asyncify lists and the stack pointer are found by name). */
async function assemble(wat: string): Promise<Uint8Array> {
  // binaryen is ESM-only with top-level await: resolve it from the core package, then import() it
  const coreRequire = createRequire(join(REPO, 'packages/core/package.json'))
  binaryen ??= import(pathToFileURL(coreRequire.resolve('binaryen')).href).then((m) => m.default)
  const b = await binaryen
  const mod = b.parseText(wat)
  try {
    b.setDebugInfo(true)
    return mod.emitBinary()
  } finally {
    b.setDebugInfo(false)
    mod.dispose()
  }
}

/** Asyncifies `input` (wasm bytes or wat text) with core; every build has its JSPI twin. */
export async function buildWasm(
  input: Uint8Array | string,
  options: BuildOptions = {},
): Promise<FixtureBuild> {
  core ??= (
    import(pathToFileURL(testRequire.resolve('@unplugin-asyncify/core')).href) as Promise<Core>
  ).catch((cause: unknown) => {
    throw new Error(
      'Failed to load @unplugin-asyncify/core: build it first (pnpm --filter @unplugin-asyncify/core build)',
      {
        cause,
      },
    )
  })
  const bytes = typeof input === 'string' ? await assemble(input) : input
  const { mode = 'production', filename, ...coreOptions } = options
  const { wasm, jspiWasm, meta, recorder, report } = await (await core).asyncify(
    bytes,
    // 64 KiB unless a test asks: the geometry these tests check is simpler to read than with the 1 MiB default
    {
      stackSize: 65536,
      ...coreOptions,
      jspi: 'auto',
      cacheDir: join(tmpdir(), 'unplugin-asyncify-runtime-tests'),
    },
    { root: REPO, mode, filename },
  )
  return { wasm, jspiWasm, meta, recorder, report }
}
