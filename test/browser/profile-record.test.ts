// Record mode (`profile: 'record'`) through the Vite dev server: a page in Chromium sends what its recorder saw
// to the dev server, which writes the profile next to the wasm; the same module loaded through SSR (Node)
// writes the file itself, merging with what the page recorded.
import { cp, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import asyncifyVite from 'unplugin-asyncify/vite'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Engine, launchEngine } from './engines.mjs'
import { openPage } from './watched-page.ts'

const FIXTURE = fileURLToPath(new URL('./profile-fixture/', import.meta.url))
const PROFILE_WASM = fileURLToPath(new URL('../fixtures/wasm/profile.wasm', import.meta.url))
// Inside the workspace, so the dev server may serve the runtime from packages/runtime (fs.allow).
const ROOT = fileURLToPath(new URL('../.tmp/browser/profile-record/', import.meta.url))
const PROFILE_FILE = join(ROOT, 'profile.asyncify-profile.json')

/** The profile's function names, or undefined while the file does not exist yet. */
async function recorded(): Promise<string[] | undefined> {
  try {
    return JSON.parse(await readFile(PROFILE_FILE, 'utf8')).functions
  } catch {
    return undefined
  }
}

describe('record mode in the Vite dev server', () => {
  let browser: Engine
  let server: ViteDevServer
  let origin: string

  beforeAll(async () => {
    await rm(ROOT, { recursive: true, force: true })
    await mkdir(ROOT, { recursive: true })
    await cp(FIXTURE, ROOT, { recursive: true })
    await cp(PROFILE_WASM, join(ROOT, 'profile.wasm'))
    // the dev server's record path, in the engine the page recorder is documented for
    browser = await launchEngine('chromium')
    server = await createServer({
      root: ROOT,
      configFile: false,
      logLevel: 'silent',
      plugins: [
        asyncifyVite({ profile: 'record', asyncImports: ['env.sleep'], importModules: { env: './env.js' } }),
      ],
      server: { host: '127.0.0.1', port: 0, strictPort: true },
    })
    await server.listen()
    origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '')
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('a page and an SSR load record into the profile file next to the wasm', async () => {
    const { page, problems } = await openPage(browser, `${origin}/`)
    try {
      await expect.poll(() => page.textContent('#result'), { timeout: 60_000 }).toBe('OK')
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
    // the page's samples reach the server over the HMR socket
    await expect
      .poll(recorded, { timeout: 30_000 })
      .toEqual(['direct', 'direct_inner', 'direct_outer', 'dispatch', 'indirect', 'op_sleep'])

    // in Node the recorder writes the file itself, merging with what the page recorded
    const ssr = await server.ssrLoadModule('/ssr.js')
    expect(await ssr.run()).toEqual([9, 7])
    expect(await recorded()).toEqual([
      'direct',
      'direct_inner',
      'direct_outer',
      'dispatch',
      'indirect',
      'op_sleep',
      'unrecorded',
      'unrecorded_inner',
    ])
    const profile = JSON.parse(await readFile(PROFILE_FILE, 'utf8'))
    expect(profile.imports).toEqual(['env.sleep'])
    expect(profile.module.names).toBe('input')
  })
})
