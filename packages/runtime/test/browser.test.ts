// The built runtime in real Chromium (JSPI since Chrome 137): on a page and in a module worker, with
// jspi 'off' (Asyncify) and 'auto' (JSPI), served from 127.0.0.1.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWasm, fixture } from './helpers/build.ts'
import { buildRuntime } from './helpers/build-runtime.ts'
import { COMPUTE_ASYNC_IMPORTS, testRequire } from './helpers/env.ts'

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

const PAGE = `<!doctype html><meta charset="utf-8"><title>runtime</title><script type="module">
import { scenario, overflow } from '/scenario.js'
const worker = (jspi) => new Promise((resolve, reject) => {
  const w = new Worker(URL.createObjectURL(new Blob([
    "import { scenario } from '" + location.origin + "/scenario.js'; scenario(" + JSON.stringify(jspi) + ").then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }))",
  ], { type: 'text/javascript' })), { type: 'module' })
  w.onmessage = (event) => resolve(event.data)
  w.onerror = (event) => reject(new Error(event.message))
})
const results = {}
try {
  results.pageOff = await scenario('off')
  results.pageAuto = await scenario('auto')
  results.workerOff = await worker('off')
  results.workerAuto = await worker('auto')
  results.overflow = await overflow()
} catch (error) {
  results.error = String(error && error.stack || error)
}
window.__results = results
</script>`

let browser: any
let server: Server
let origin: string
beforeAll(async () => {
  const compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  const runtime = buildRuntime().code
  const scenario = readFileSync(new URL('./helpers/browser-scenario.js', import.meta.url), 'utf8')
  const files: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html', PAGE],
    '/runtime.mjs': ['text/javascript', runtime],
    '/scenario.js': ['text/javascript', scenario],
    '/compute.json': ['application/json', JSON.stringify(compute.meta)],
    '/compute.wasm': ['application/wasm', compute.wasm],
    '/compute-jspi.wasm': ['application/octet-stream', compute.jspiWasm ?? ''],
  }
  server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file) res.writeHead(404).end()
    else res.writeHead(200, { 'content-type': file[0] }).end(file[1])
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { chromium } = testRequire('playwright-core')
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
})
afterAll(async () => {
  await browser?.close()
  server?.close()
})

describe('in Chromium', () => {
  it('runs the built runtime on a page and in a worker, with Asyncify and with JSPI', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.goto(`${origin}/`)
    await page.waitForFunction(() => (window as { __results?: unknown }).__results, undefined, {
      timeout: 30_000,
    })
    const results = await page.evaluate(() => (window as { __results?: unknown }).__results)
    expect(errors).toEqual([])
    const expected = {
      concurrent: [1050, 10, 55],
      add64: String(2n ** 40n + 6n),
      fannkuch: 10,
      sameError: true,
      notAsync: 'ASYNCIFY_IMPORT_NOT_ASYNC',
      after: 3002,
      heap: (20 * 59) / 2,
    }
    expect(results).toEqual({
      pageOff: { mode: 'asyncify', ...expected },
      pageAuto: { mode: 'jspi', ...expected },
      workerOff: { mode: 'asyncify', ...expected },
      workerAuto: { mode: 'jspi', ...expected },
      overflow: ['ASYNCIFY_STACK_OVERFLOW', 55, 'top'],
    })
  })
})
