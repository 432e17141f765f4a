// Editing a `.wasm` while Vite's dev server runs: the `?asyncify` module is rebuilt from the new bytes, browsers
// get a full reload, a broken file is reported (never the old glue), and fixing it recovers.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import asyncifyVite from 'unplugin-asyncify/vite'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TMP } from './utils.ts'

const APP = join(TMP, 'vite-dev-edit')
const WASM = join(APP, 'src/value.wasm')

/** A module whose `value()` pauses in `env.sleep` and then returns `result`. */
async function valueWasm(result: number): Promise<Uint8Array> {
  const require = createRequire(join(TMP, '../../packages/core/package.json')) // binaryen is core's dependency
  const { default: binaryen } = await import(require.resolve('binaryen'))
  const module = binaryen.parseText(`(module
    (import "env" "sleep" (func $sleep (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "value") (result i32)
      (i32.add (call $sleep (i32.const 1)) (i32.const ${result - 1}))))`)
  const bytes = module.emitBinary() as Uint8Array
  module.dispose()
  return bytes
}

/** Replace the wasm the way editors and most build tools do: write a temporary file, then rename it. */
async function replaceWasm(bytes: Uint8Array): Promise<void> {
  await writeFile(`${WASM}.tmp`, bytes)
  await rename(`${WASM}.tmp`, WASM)
}

let server: ViteDevServer
/** What the dev server sent to browsers over its HMR channel. */
const sent: { type?: string }[] = []

/** The module's answer as the server sees it now (SSR path: re-evaluated after an invalidation). */
async function current(): Promise<number> {
  const entry = await server.ssrLoadModule('/src/entry.js')
  return entry.get()
}

beforeAll(async () => {
  await rm(APP, { recursive: true, force: true })
  await mkdir(join(APP, 'src'), { recursive: true })
  await writeFile(
    join(APP, 'src/env.js'),
    'export const sleep = (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms))\n',
  )
  await writeFile(
    join(APP, 'src/entry.js'),
    "import { value } from './value.wasm?asyncify'\nexport const get = () => value()\n",
  )
  await writeFile(WASM, await valueWasm(1))
  server = await createServer({
    root: APP,
    configFile: false,
    logLevel: 'silent',
    plugins: [
      asyncifyVite({
        asyncImports: ['env.sleep'],
        importModules: { env: './src/env.js' },
        cacheDir: join(APP, '.cache'), // cold on every run: each edit really goes through Binaryen
        silent: true,
      }),
    ],
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  })
  const send = server.ws.send.bind(server.ws)
  server.ws.send = ((payload: { type?: string }, ...rest: unknown[]) => {
    sent.push(payload)
    return (send as (...args: unknown[]) => void)(payload, ...rest)
  }) as typeof server.ws.send
  await server.listen()
})

afterAll(async () => {
  await server?.close()
})

describe('vite dev server: editing the wasm', () => {
  it('serves the new bytes and reloads the page after an edit', async () => {
    expect(await current()).toBe(1)
    // the browser's copy of the glue, requested like a page would
    const before = await server.transformRequest('/src/value.wasm?asyncify')
    expect(before?.code).toContain('value')

    sent.length = 0
    await replaceWasm(await valueWasm(2))
    await expect.poll(() => current(), { timeout: 20_000, interval: 200 }).toBe(2)
    await expect
      .poll(() => sent.some((message) => message.type === 'full-reload'), { timeout: 10_000 })
      .toBe(true)
    const after = await server.transformRequest('/src/value.wasm?asyncify')
    // content-hashed asset names: the new glue points at other bytes
    expect(after?.code).not.toBe(before?.code)
  })

  it('reports a broken file instead of serving the old module, then recovers', async () => {
    await replaceWasm(new TextEncoder().encode('not wasm at all'))
    await expect
      .poll(
        async () => {
          try {
            await current()
            return 'served'
          } catch (error) {
            return String((error as Error).message)
          }
        },
        { timeout: 20_000, interval: 200 },
      )
      .toMatch(/Failed to asyncify ".*value\.wasm"/)
    await expect(server.transformRequest('/src/value.wasm?asyncify')).rejects.toThrow(
      /ASYNCIFY_NOT_WASM|not a WebAssembly/,
    )

    await replaceWasm(await valueWasm(3))
    await expect
      .poll(() => current().catch((e) => String(e.message)), { timeout: 20_000, interval: 200 })
      .toBe(3)
  })
})
