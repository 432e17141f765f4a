// Vite's dev server has no emitFile: the plugin writes the processed bytes to its cache and lets Vite serve them
// (`?url`), and an SSR module reads them from disk. A browser page is served the JSPI binary first; the
// Asyncify one is built when asked for. All through real servers on a loopback port.
import { mkdtemp, readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import asyncifyVite from 'unplugin-asyncify/vite'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_APP, fixtureOptions, prepareFixtureApp, WASM_FIXTURES } from './utils.ts'

let server: ViteDevServer
let origin: string

/** The `from "…"` specifiers of a served module, in order. */
function importsOf(code: string): string[] {
  return [...code.matchAll(/^import .* from "([^"]+)"/gm)].map((match) => match[1]!)
}

async function get(path: string): Promise<Response> {
  const response = await fetch(new URL(path, origin))
  expect(response.status, path).toBe(200)
  return response
}

beforeAll(async () => {
  await prepareFixtureApp()
  server = await createServer({
    root: FIXTURE_APP,
    configFile: false,
    logLevel: 'silent',
    // Relative to the root, like a user's config: exercises `importModules` resolution from Vite's root.
    plugins: [asyncifyVite(fixtureOptions(FIXTURE_APP, { importModules: { env: './src/wasm-env.js' } }))],
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  })
  await server.listen()
  origin = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`
})

afterAll(async () => {
  await server?.close()
})

describe('vite dev server', () => {
  it('runs the app through ssrLoadModule (bytes read from disk)', async () => {
    const app = await server.ssrLoadModule('/src/main.js')
    expect(await app.test()).toBe('OK')
    expect(await app.mode()).toBe('asyncify')
  })

  it('serves the glue to the browser and the asyncified bytes behind its URL', async () => {
    const glue = await (await get('/src/compute.wasm?import&asyncify')).text()
    const urlModule = importsOf(glue).find((specifier) => specifier.includes('.wasm?'))
    expect(urlModule).toBeDefined()
    // Vite's `?url` module: `export default "<url of the processed file>"`.
    const urlCode = await (await get(urlModule!)).text()
    const wasmUrl = /export default "([^"]+)"/.exec(urlCode)?.[1]
    expect(wasmUrl).toBeDefined()
    const response = await get(wasmUrl!)
    expect(response.headers.get('content-type')).toContain('application/wasm')
    const served = new Uint8Array(await response.arrayBuffer())
    const module = new WebAssembly.Module(served)
    const exports = WebAssembly.Module.exports(module).map((entry) => entry.name)
    // The asyncified build, not the original file.
    expect(exports).toContain('asyncify_start_unwind')
    expect(served).not.toEqual(new Uint8Array(await readFile(`${WASM_FIXTURES}/compute.wasm`)))
  })

  it('serves the runtime the glue imports', async () => {
    const glue = await (await get('/src/compute.wasm?import&asyncify&init')).text()
    const runtime = importsOf(glue)[0]!
    expect(await (await get(runtime)).text()).toContain('export')
  })
})

describe('vite dev server, first load in a browser with JSPI', () => {
  let fresh: ViteDevServer
  let freshOrigin: string
  const logged: string[] = []

  beforeAll(async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'asyncify-jspi-first-'))
    fresh = await createServer({
      root: FIXTURE_APP,
      configFile: false,
      logLevel: 'info',
      customLogger: {
        info: (message: string) => logged.push(message),
        warn: (message: string) => logged.push(message),
        warnOnce: () => {},
        error: () => {},
        clearScreen: () => {},
        hasErrorLogged: () => false,
        hasWarned: false,
      },
      plugins: [asyncifyVite(fixtureOptions(FIXTURE_APP, { cacheDir, silent: false }))],
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    })
    await fresh.listen()
    freshOrigin = `http://127.0.0.1:${(fresh.httpServer!.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await fresh?.close()
  })

  it('serves the JSPI binary without waiting for the Asyncify pass, and builds that one when it is asked for', async () => {
    const glue = await (await fetch(new URL('/src/calls-wasm-opt.wasm?import&asyncify', freshOrigin))).text()
    // the JSPI binary behind a ?url module, the Asyncify one behind the dev server's own path
    const devPath =
      /new URL\("(\/@unplugin-asyncify\/[0-9a-f]{16}\/calls-wasm-opt\.wasm)", location\.href\)/.exec(
        glue,
      )?.[1]
    expect(devPath).toBeDefined()
    const jspiModule = importsOf(glue).find((specifier) => specifier.includes('.jspi-'))
    expect(jspiModule).toBeDefined()
    // no Asyncify transform ran for the glue: no build line yet
    expect(logged.filter((line) => /calls-wasm-opt\.wasm .* functions instrumented/.test(line))).toEqual([])
    const jspiUrl = /export default "([^"]+)"/.exec(
      await (await fetch(new URL(jspiModule!, freshOrigin))).text(),
    )![1]!
    const jspi = new Uint8Array(await (await fetch(new URL(jspiUrl, freshOrigin))).arrayBuffer())
    expect(WebAssembly.Module.exports(new WebAssembly.Module(jspi)).map((e) => e.name)).not.toContain(
      'asyncify_start_unwind',
    )
    // a browser without JSPI asks for the Asyncify binary: built now, served as application/wasm
    const response = await fetch(new URL(devPath!, freshOrigin))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/wasm')
    const asyncified = new WebAssembly.Module(new Uint8Array(await response.arrayBuffer()))
    expect(WebAssembly.Module.exports(asyncified).map((e) => e.name)).toContain('asyncify_start_unwind')
    expect(logged.filter((line) => /calls-wasm-opt\.wasm .* functions instrumented/.test(line))).toHaveLength(
      1,
    )
    // an unknown hash is not ours
    expect((await fetch(new URL('/@unplugin-asyncify/0000000000000000/x.wasm', freshOrigin))).status).toBe(
      404,
    )
  })
})
