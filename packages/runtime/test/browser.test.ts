// The built runtime in every browser engine (BROWSER_ENGINES, all three by default): on a page and in a
// module worker, with jspi 'off' (Asyncify) and 'auto' (JSPI where the engine has it: Chromium, Firefox;
// Asyncify in WebKitGTK), served from 127.0.0.1. Prints where each run put the unwind buffer.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Engine, type EngineName, launchEngine, testedEngines } from '../../../test/browser/engines.mjs'
import { ENGINE_FEATURES } from '../../../test/browser/features.mjs'
import { type BufferFacts, describeUnwindBuffer } from '../../../test/browser/unwind-buffer.mjs'
import { buildWasm, fixture } from './helpers/build.ts'
import { buildRuntime } from './helpers/build-runtime.ts'
import { COMPUTE_ASYNC_IMPORTS } from './helpers/env.ts'

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

let server: Server
let origin: string
beforeAll(async () => {
  const compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  const runtime = buildRuntime().code
  const scenario = readFileSync(new URL('./helpers/browser-scenario.js', import.meta.url), 'utf8')
  const bufferFacts = readFileSync(
    new URL('../../../test/browser/fixture/buffer-facts.js', import.meta.url),
    'utf8',
  )
  const files: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html', PAGE],
    '/runtime.mjs': ['text/javascript', runtime],
    '/scenario.js': ['text/javascript', scenario],
    '/buffer-facts.js': ['text/javascript', bufferFacts],
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
})
afterAll(() => {
  server?.close()
})

type Results = Record<string, { mode: string; buffer?: BufferFacts }>

describe.each(testedEngines())('in %s', (name: EngineName) => {
  let engine: Engine
  beforeAll(async () => {
    engine = await launchEngine(name)
  })
  afterAll(async () => {
    await engine?.close()
  })

  it('runs the built runtime on a page and in a worker, with Asyncify and with JSPI where it exists', async () => {
    const page = await engine.newPage()
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.goto(`${origin}/`)
    await page.waitForFunction(() => (window as { __results?: unknown }).__results, undefined, {
      timeout: 30_000,
    })
    const results = await page.evaluate(() => (window as { __results?: unknown }).__results as Results)
    await page.close()
    expect(errors).toEqual([])
    for (const run of ['pageOff', 'pageAuto', 'workerOff', 'workerAuto']) {
      const buffer = results[run]?.buffer
      expect(buffer?.unwindBuffer === null, run).toBe(buffer?.mode === 'jspi')
      console.log(
        `[${engine.version}] ${run}: ${buffer?.mode}, unwind buffer: ${buffer && describeUnwindBuffer(buffer)}`,
      )
      delete results[run]?.buffer
    }
    const expected = {
      concurrent: [1050, 10, 55],
      add64: String(2n ** 40n + 6n),
      fannkuch: 10,
      sameError: true,
      notAsync: 'ASYNCIFY_IMPORT_NOT_ASYNC',
      after: 3002,
      heap: (20 * 59) / 2,
    }
    const auto = ENGINE_FEATURES[name].jspi ? 'jspi' : 'asyncify'
    expect(results).toEqual({
      pageOff: { mode: 'asyncify', ...expected },
      pageAuto: { mode: auto, ...expected },
      workerOff: { mode: 'asyncify', ...expected },
      workerAuto: { mode: auto, ...expected },
      overflow: {
        top: ['ASYNCIFY_STACK_OVERFLOW', 55, 'top'],
        malloc: ['ASYNCIFY_STACK_OVERFLOW', 'ASYNCIFY_INSTANCE_POISONED', 'malloc'],
      },
    })
  })
})
