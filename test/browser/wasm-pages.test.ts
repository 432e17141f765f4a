// The same page (fixture/main.js: compute.wasm?asyncify with a real setTimeout sleep, overlapping calls
// and BigInt) built or served three ways, each run in every browser engine (BROWSER_ENGINES, all three by
// default; one browser per engine for the whole file). Each page writes 'OK' or the check that failed into
// #result, the runtime's mode into #mode and where the unwind buffer went into #buffer; every run prints
// its engine, mode and buffer placement: the cells of the matrix in docs/engines.md.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import asyncifyVite from 'unplugin-asyncify/vite'
import asyncifyWebpack from 'unplugin-asyncify/webpack'
import { build, createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import webpack from 'webpack'
import { type Engine, type EngineName, launchEngine, testedEngines } from './engines.mjs'
import { ENGINE_FEATURES } from './features.mjs'
import { type StaticServer, serveStatic } from './static-server.ts'
import { type BufferFacts, describeUnwindBuffer } from './unwind-buffer.mjs'
import { openPage } from './watched-page.ts'

const FIXTURE = fileURLToPath(new URL('./fixture/', import.meta.url))
const COMPUTE_WASM = fileURLToPath(new URL('../fixtures/wasm/compute.wasm', import.meta.url))
/** A stripped clang build, as users get it from clang + wasm-opt. */
const CALLS_WASM = fileURLToPath(new URL('../fixtures/wasm/calls-wasm-opt.wasm', import.meta.url))
// Inside the workspace, so the dev server may serve the runtime from packages/runtime (fs.allow).
const TMP = fileURLToPath(new URL('../.tmp/browser/', import.meta.url))

/** Copies the fixture app and compute.wasm to a fresh directory: builds never write into the sources. */
async function copyFixture(name: string): Promise<string> {
  const root = join(TMP, name)
  await rm(root, { recursive: true, force: true })
  await mkdir(root, { recursive: true })
  await cp(FIXTURE, root, { recursive: true })
  await cp(COMPUTE_WASM, join(root, 'compute.wasm'))
  await cp(CALLS_WASM, join(root, 'calls-wasm-opt.wasm'))
  return root
}

type Mode = 'jspi' | 'asyncify'

/** Opens `url`, waits for the page's own verdict and checks which engine path the runtime took. */
async function expectPassingPage(engine: Engine, url: string, mode: Mode): Promise<void> {
  const { page, problems } = await openPage(engine, url)
  try {
    await expect.poll(() => page.textContent('#result'), { timeout: 30_000 }).toBe('OK')
    expect(await page.textContent('#mode')).toBe(mode)
    const facts: BufferFacts = JSON.parse((await page.textContent('#buffer')) ?? 'null')
    expect(facts.mode).toBe(mode)
    // JSPI pauses without a buffer; Asyncify has placed one by the end of the checks
    expect(facts.unwindBuffer === null).toBe(mode === 'jspi')
    const { pathname, search } = new URL(url)
    console.log(
      `[${engine.version}] ${pathname}${search}: ${mode}, unwind buffer: ${describeUnwindBuffer(facts)}`,
    )
    expect(problems).toEqual([])
  } finally {
    await page.close()
  }
}

let viteBuild: StaticServer
let viteDev: ViteDevServer
let viteDevOrigin: string
let webpackBuild: StaticServer

// The three apps are built (or served) once; every engine then runs the same pages.
beforeAll(async () => {
  ;[viteBuild, [viteDev, viteDevOrigin], webpackBuild] = [
    await buildWithVite(),
    await serveWithViteDev(),
    await buildWithWebpack(),
  ]
})

afterAll(async () => {
  await viteBuild?.close()
  await viteDev?.close()
  await webpackBuild?.close()
})

describe.each(testedEngines())('%s', (name: EngineName) => {
  let engine: Engine
  // What `jspi: 'auto'` (the default) must pick: JSPI where the engine ships it (docs/engines.md).
  const auto: Mode = ENGINE_FEATURES[name].jspi ? 'jspi' : 'asyncify'

  beforeAll(async () => {
    engine = await launchEngine(name)
    console.log(`[${engine.version}] jspi: 'auto' must pick ${auto}`)
  })

  afterAll(async () => {
    await engine?.close()
  })

  describe('vite build', () => {
    it(`runs the awaited exports through ${auto} (jspi: auto)`, async () => {
      await expectPassingPage(engine, `${viteBuild.origin}/`, auto)
    })

    it('runs the awaited exports through Asyncify when the page asks for jspi: off', async () => {
      await expectPassingPage(engine, `${viteBuild.origin}/?jspi=off`, 'asyncify')
    })

    it('runs them in a module worker too, in both modes', async () => {
      await expectPassingPage(engine, `${viteBuild.origin}/worker.html`, auto)
      await expectPassingPage(engine, `${viteBuild.origin}/worker.html?jspi=off`, 'asyncify')
    })
  })

  describe('vite dev server', () => {
    it(`serves a page whose awaited exports run through ${auto} (jspi: auto)`, async () => {
      await expectPassingPage(engine, `${viteDevOrigin}/`, auto)
    })

    it('serves a page whose awaited exports run through Asyncify with jspi: off', async () => {
      await expectPassingPage(engine, `${viteDevOrigin}/?jspi=off`, 'asyncify')
    })

    it('shows the error overlay naming a .wasm that is not WebAssembly', async () => {
      const { page } = await openPage(engine, `${viteDevOrigin}/broken.html`)
      try {
        const overlay = () =>
          page.evaluate(() => document.querySelector('vite-error-overlay')?.shadowRoot?.textContent ?? '')
        await expect.poll(overlay, { timeout: 30_000 }).toContain('broken.wasm')
        expect(await overlay()).toMatch(/Failed to \w+ "[^"]*broken\.wasm"/)
        expect(await page.evaluate(() => document.body.dataset.loaded)).toBeUndefined()
      } finally {
        await page.close()
      }
    })
  })

  describe('webpack build', () => {
    it('runs the awaited exports through Asyncify (jspi: off in the plugin)', async () => {
      await expectPassingPage(engine, `${webpackBuild.origin}/`, 'asyncify')
    })
  })
})

async function buildWithVite(): Promise<StaticServer> {
  const root = await copyFixture('vite-build')
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins: [asyncifyVite()],
    // Module workers are built by their own pipeline with `worker.plugins` only: the plugin joins it by itself.
    worker: { format: 'es' },
    build: {
      outDir: 'dist',
      rolldownOptions: { input: { main: join(root, 'index.html'), worker: join(root, 'worker.html') } },
    },
  })
  return serveStatic(join(root, 'dist'))
}

async function serveWithViteDev(): Promise<[ViteDevServer, string]> {
  const root = await copyFixture('vite-dev')
  await writeFile(join(root, 'broken.wasm'), 'this is not WebAssembly')
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [asyncifyVite()],
    server: { host: '127.0.0.1', port: 0, strictPort: true },
  })
  await server.listen()
  return [server, server.resolvedUrls!.local[0]!.replace(/\/$/, '')]
}

async function buildWithWebpack(): Promise<StaticServer> {
  const root = await copyFixture('webpack')
  const dist = join(root, 'dist')
  const compiler = webpack({
    mode: 'production',
    context: root,
    entry: './main.js',
    output: { path: dist, filename: 'main.js' },
    // jspi: 'off' is the build-time switch: no JSPI bytes are emitted, so even an engine with JSPI runs the
    // Asyncify build. Only the imports that really pause are listed (the Vite builds let every import pause).
    plugins: [asyncifyWebpack({ jspi: 'off', asyncImports: ['env.sleep', 'env.get_i64', 'env.callback'] })],
  })
  const stats = await new Promise<webpack.Stats | undefined>((resolve, reject) =>
    compiler.run((error, result) => (error ? reject(error) : resolve(result))),
  )
  await new Promise((resolve) => compiler.close(resolve))
  expect(stats?.hasErrors() ? stats.toString('errors-only') : '').toBe('')
  // A classic script: webpack's automatic publicPath reads document.currentScript.
  await writeFile(
    join(dist, 'index.html'),
    '<!doctype html><link rel="icon" href="data:,"><p>mode: <span id="mode">loading</span></p><p>unwind buffer: <span id="buffer">unknown</span></p><p>result: <span id="result">running</span></p><script src="./main.js"></script>',
  )
  return serveStatic(dist)
}
