// blocking.c (test/fixtures/wasi), unmodified, built by Vite with the plugin and run in every browser engine:
// the named export with WASI settings from the plugin config, and init() with per-instance settings, in
// JSPI and in Asyncify mode. The page writes 'OK' or the failed checks into #result.
import { cp, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import asyncifyVite from 'unplugin-asyncify/vite'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Engine, type EngineName, launchEngine, testedEngines } from './engines.mjs'
import { ENGINE_FEATURES } from './features.mjs'
import { type StaticServer, serveStatic } from './static-server.ts'
import { openPage } from './watched-page.ts'

const FIXTURE = fileURLToPath(new URL('./wasi-fixture/', import.meta.url))
const BLOCKING_WASM = fileURLToPath(new URL('../fixtures/wasi/blocking.wasm', import.meta.url))
const ROOT = fileURLToPath(new URL('../.tmp/browser/wasi/', import.meta.url))

let server: StaticServer

beforeAll(async () => {
  await rm(ROOT, { recursive: true, force: true })
  await mkdir(ROOT, { recursive: true })
  await cp(FIXTURE, ROOT, { recursive: true })
  await cp(BLOCKING_WASM, join(ROOT, 'blocking.wasm'))
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    plugins: [
      asyncifyVite({
        asyncImports: [], // the WASI imports that wait are added by the plugin itself
        optimizeLevel: 1,
        wasi: { args: ['blocking', 'echo'], optionsModule: './wasi-options.js' },
      }),
    ],
    build: { outDir: 'dist' },
  })
  server = await serveStatic(join(ROOT, 'dist'))
})

afterAll(async () => {
  await server?.close()
})

describe.each(testedEngines())('an unmodified WASI command in %s', (name: EngineName) => {
  let engine: Engine
  beforeAll(async () => {
    engine = await launchEngine(name)
  })
  afterAll(async () => {
    await engine?.close()
  })

  // `auto` picks JSPI where the engine has it (docs/engines.md)
  it.each([
    ['auto', ENGINE_FEATURES[name].jspi ? 'jspi' : 'asyncify'],
    ['off', 'asyncify'],
  ])('jspi=%s: stdin, sleep, files, exit codes and the exited state (%s)', async (jspi, mode) => {
    const { page, problems } = await openPage(engine, `${server.origin}/?jspi=${jspi}`)
    try {
      await expect.poll(() => page.textContent('#result'), { timeout: 60_000 }).toBe('OK')
      expect(await page.textContent('#mode')).toBe(mode)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})
