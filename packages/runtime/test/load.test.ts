// Loading sources: bytes, Module, Response (streaming or not, by MIME type), URLs (file: read from disk,
// http: fetched), promises and lazy functions; and the errors instantiate reports before anything runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AsyncifyRuntimeError, instantiate, type SourceInput, type WasmMeta } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { later } from './helpers/env.ts'

const sleepImports = { env: { sleep: (ms: number) => later(1, ms) } }
let named: FixtureBuild
let dir: string
let server: Server
let origin: string
beforeAll(async () => {
  named = await buildWasm(fixture('named-memory.wasm'))
  dir = mkdtempSync(join(tmpdir(), 'runtime-load-'))
  writeFileSync(join(dir, 'named.wasm'), named.wasm)
  server = createServer((req, res) => {
    if (req.url === '/missing.wasm') {
      res.writeHead(404, 'Not Found').end()
      return
    }
    const type = req.url === '/right.wasm' ? 'application/wasm' : 'application/octet-stream'
    res.writeHead(200, { 'content-type': type }).end(named.wasm)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function works(source: SourceInput) {
  const inst = await instantiate({ asyncify: source }, named.meta, sleepImports)
  expect(await inst.exports.store_after(16, 6)).toBe(6)
  return inst
}

async function rejection(promise: Promise<unknown>): Promise<AsyncifyRuntimeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AsyncifyRuntimeError)
  return error as AsyncifyRuntimeError
}

describe('sources', () => {
  it('bytes, ArrayBuffer, a compiled Module, promises and functions', async () => {
    await works(named.wasm)
    await works(named.wasm.slice().buffer)
    const module = new WebAssembly.Module(named.wasm as BufferSource)
    expect((await works(module)).module).toBe(module)
    await works(Promise.resolve(named.wasm))
    await works(() => later(1, module))
  })

  it('file: URLs, as URL objects and as strings, are read from disk', async () => {
    const url = pathToFileURL(join(dir, 'named.wasm'))
    await works(url)
    await works(url.href)
    const error = await rejection(
      instantiate({ asyncify: new URL('missing.wasm', url) }, named.meta, sleepImports),
    )
    expect(error.code).toBe('ASYNCIFY_LOAD_FAILED')
    expect(error.message).toMatch(/Failed to load "file:.*missing\.wasm": .*ENOENT/)
  })

  it('Responses stream when served as application/wasm and fall back to bytes otherwise', async () => {
    const streaming = vi.spyOn(WebAssembly, 'instantiateStreaming')
    try {
      await works(fetch(`${origin}/right.wasm`))
      expect(streaming).toHaveBeenCalledTimes(1)
      await works(fetch(`${origin}/wrong-mime.wasm`)) // would throw in instantiateStreaming
      await works(`${origin}/wrong-mime.wasm`) // an http URL string is fetched
      await works(new URL('/right.wasm', origin))
      expect(streaming).toHaveBeenCalledTimes(2)
    } finally {
      streaming.mockRestore()
    }
  })

  it('an HTTP error rejects with ASYNCIFY_LOAD_FAILED', async () => {
    for (const source of [`${origin}/missing.wasm`, fetch(`${origin}/missing.wasm`)]) {
      const error = await rejection(instantiate({ asyncify: source }, named.meta, sleepImports))
      expect(error.code).toBe('ASYNCIFY_LOAD_FAILED')
      expect(error.message).toContain('HTTP 404 Not Found')
    }
  })
})

describe('instantiate errors', () => {
  it('ASYNCIFY_META_UNSUPPORTED for metadata of another version', async () => {
    const meta = { ...named.meta, version: 1 } as unknown as WasmMeta
    const error = await rejection(instantiate({ asyncify: named.wasm }, meta, sleepImports))
    expect(error.code).toBe('ASYNCIFY_META_UNSUPPORTED')
  })

  it('ASYNCIFY_SOURCE_MISSING when the mode has no module', async () => {
    const error = await rejection(
      instantiate({}, { ...named.meta, file: 'game.wasm' }, sleepImports, { jspi: 'off' }),
    )
    expect(error.code).toBe('ASYNCIFY_SOURCE_MISSING')
    expect(error.message).toBe(
      '[unplugin-asyncify] Failed to instantiate "game.wasm": no module was given for the asyncify mode. Pass sources.asyncify',
    )
  })

  it('ASYNCIFY_NOT_ASYNCIFIED when the Asyncify source did not go through the pass', async () => {
    const error = await rejection(
      instantiate({ asyncify: named.jspiWasm }, named.meta, sleepImports, { jspi: 'off' }),
    )
    expect(error.code).toBe('ASYNCIFY_NOT_ASYNCIFIED')
  })

  it('ASYNCIFY_IMPORT_MISSING names the file, the import and the fix', async () => {
    const meta = { ...named.meta, file: 'game.wasm' }
    const cases: WebAssembly.Imports[] = [{}, { env: {} }, { env: Object.create({ sleep: () => 0 }) }]
    for (const imports of cases) {
      const error = await rejection(instantiate({ asyncify: named.wasm }, meta, imports))
      expect(error.code).toBe('ASYNCIFY_IMPORT_MISSING')
      expect(error.message).toMatch(
        /^\[unplugin-asyncify\] Failed to instantiate "game\.wasm": the module imports function "env\.sleep"/,
      )
      expect(error.message).toContain('importModules')
    }
  })
})
