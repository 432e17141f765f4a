// The same page (fixture/main.js: compute.wasm?asyncify with a real setTimeout sleep, overlapping calls
// and BigInt) built or served three ways, run in one headless Chromium. Each page writes 'OK' or the
// check that failed into #result, and the runtime's mode into #mode.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import asyncifyVite from 'unplugin-asyncify/vite'
import asyncifyWebpack from 'unplugin-asyncify/webpack'
import { build, createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import webpack from 'webpack'
import { launchChromium, openPage } from './chromium.ts'
import { type StaticServer, serveStatic } from './static-server.ts'

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

let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

/** Opens `url`, waits for the page's own verdict and checks which engine path the runtime took. */
async function expectPassingPage(url: string, mode: 'jspi' | 'asyncify'): Promise<void> {
  const { page, problems } = await openPage(browser, url)
  try {
    await expect.poll(() => page.textContent('#result'), { timeout: 30_000 }).toBe('OK')
    expect(await page.textContent('#mode')).toBe(mode)
    expect(problems).toEqual([])
  } finally {
    await page.close()
  }
}

describe('vite build', () => {
  let server: StaticServer

  beforeAll(async () => {
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
    server = await serveStatic(join(root, 'dist'))
  })

  afterAll(async () => {
    await server?.close()
  })

  // Chromium 156 ships JSPI, so `jspi: 'auto'` (the default) must pick it.
  it('runs the awaited exports through JSPI', async () => {
    await expectPassingPage(`${server.origin}/`, 'jspi')
  })

  it('runs the awaited exports through Asyncify when the page asks for jspi: off', async () => {
    await expectPassingPage(`${server.origin}/?jspi=off`, 'asyncify')
  })

  it('runs them in a module worker too, in both modes', async () => {
    await expectPassingPage(`${server.origin}/worker.html`, 'jspi')
    await expectPassingPage(`${server.origin}/worker.html?jspi=off`, 'asyncify')
  })
})

describe('vite dev server', () => {
  let server: ViteDevServer
  let origin: string

  beforeAll(async () => {
    const root = await copyFixture('vite-dev')
    await writeFile(join(root, 'broken.wasm'), 'this is not WebAssembly')
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [asyncifyVite()],
      server: { host: '127.0.0.1', port: 0, strictPort: true },
    })
    await server.listen()
    origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '')
  })

  afterAll(async () => {
    await server?.close()
  })

  it('serves a page whose awaited exports run through JSPI', async () => {
    await expectPassingPage(`${origin}/`, 'jspi')
  })

  it('serves a page whose awaited exports run through Asyncify with jspi: off', async () => {
    await expectPassingPage(`${origin}/?jspi=off`, 'asyncify')
  })

  it('shows the error overlay naming a .wasm that is not WebAssembly', async () => {
    const { page } = await openPage(browser, `${origin}/broken.html`)
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
  let server: StaticServer

  beforeAll(async () => {
    const root = await copyFixture('webpack')
    const dist = join(root, 'dist')
    const compiler = webpack({
      mode: 'production',
      context: root,
      entry: './main.js',
      output: { path: dist, filename: 'main.js' },
      // jspi: 'off' is the build-time switch: no JSPI bytes are emitted, so even Chromium runs the Asyncify
      // build. Only the imports that really pause are listed (the Vite builds let every import pause).
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
      '<!doctype html><link rel="icon" href="data:,"><p>mode: <span id="mode">loading</span></p><p>result: <span id="result">running</span></p><script src="./main.js"></script>',
    )
    server = await serveStatic(dist)
  })

  afterAll(async () => {
    await server?.close()
  })

  it('runs the awaited exports through Asyncify (jspi: off in the plugin)', async () => {
    await expectPassingPage(`${server.origin}/`, 'asyncify')
  })
})
