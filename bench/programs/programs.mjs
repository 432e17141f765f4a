// The real programs the benchmark (bench/real.mjs) and the e2e test (test/real-programs.test.ts) run, and the
// one way both build them, so that a test run and `bench/real.mjs --quick` share cache entries.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = join(here, '../..')

/** The two imports that really pause, in every program. */
export const ASYNC_IMPORTS = ['env.sleep', 'env.read_line']

export const programs = [
  {
    name: 'quickjs',
    title: 'QuickJS',
    /** Built without wasm-opt: reproducible, name section kept. The benchmark's input. */
    wasm: join(here, 'quickjs/quickjs.wasm'),
    /** The same sources as users get them: clang ran wasm-opt 108 -O2 after linking (no names). */
    usersWasm: join(here, 'quickjs/quickjs.wasmopt.wasm'),
    scripts: join(here, 'quickjs/scripts.mjs'),
  },
  {
    name: 'lua',
    title: 'Lua',
    wasm: join(here, 'lua/lua.wasm'),
    usersWasm: join(here, 'lua/lua.wasmopt.wasm'),
    scripts: join(here, 'lua/scripts.mjs'),
  },
].filter((program) => existsSync(program.wasm))

/**
 * Options for `asyncify()`: the two pausing imports, defaults otherwise. `optimizeLevel` undefined is the
 * production default (2). `extra` is a benchmark variant (bench/real/variants.mjs). The profile committed next to
 * each .wasm is left out (`profile: false`) unless a variant asks for it.
 */
export function buildOptions({ optimizeLevel, extra = {} } = {}) {
  return {
    asyncImports: ASYNC_IMPORTS,
    profile: false,
    ...(optimizeLevel === undefined ? {} : { optimizeLevel }),
    ...extra,
  }
}

/** Where `asyncify()` resolves its default cache: the repository's node_modules/.cache. */
export const buildContext = (program) => ({ root: repoRoot, filename: program.wasm })
