// The acceptance test of the plugin family: the same fixture app built by every bundler (with the BUILT package),
// then executed in a fresh Node process, in Node 20 (Asyncify) and in Node 26 (JSPI).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bundlers, clean } from './builders.ts'
import {
  buildLog,
  errorCode,
  FIXTURE_APP,
  fixtureOptions,
  jspiNode,
  nodeBinary,
  prepareFixtureApp,
  runBuilt,
  TMP,
} from './utils.ts'

beforeAll(() => prepareFixtureApp())

describe.each(bundlers)('$name', (bundler) => {
  const outDir = join(TMP, bundler.name)
  let entry: string
  /** What the plugin printed during the build. */
  const printed: string[] = []

  beforeAll(async () => {
    await clean(outDir)
    const capture = (...args: unknown[]) => {
      printed.push(args.join(' '))
    }
    const log = vi.spyOn(console, 'log').mockImplementation(capture)
    const warn = vi.spyOn(console, 'warn').mockImplementation(capture)
    try {
      entry = await bundler.build({
        app: FIXTURE_APP,
        entry: bundler.plainWasm ? 'src/with-plain-wasm.js' : 'src/main.js',
        outDir,
        options: fixtureOptions(FIXTURE_APP, { silent: false }),
      })
    } finally {
      log.mockRestore()
      warn.mockRestore()
    }
  })

  afterAll(() => {
    printed.length = 0
  })

  it('prints one build line per wasm file, and nothing else', () => {
    const ours = buildLog(printed).sort()
    expect(ours).toHaveLength(2)
    expect(ours[0]).toMatch(
      /src\/calls-wasm-opt\.wasm .* -> .*functions instrumented.*\(cache (hit|miss)\), DWARF removed/,
    )
    expect(ours[1]).toMatch(
      /src\/compute\.wasm .* -> .*functions instrumented.*\(cache (hit|miss)\), DWARF removed/,
    )
  })

  // Every run may read files only inside the output directory: the output must not depend on the sources or caches.
  it('runs in Node with Asyncify', async () => {
    expect(await runBuilt(entry, { readOnly: outDir })).toEqual({ result: 'OK', mode: 'asyncify' })
  })

  it('runs in Node with JSPI, loading the JSPI build', async () => {
    expect(await runBuilt(entry, { node: jspiNode(), readOnly: outDir })).toEqual({
      result: 'OK',
      mode: 'jspi',
    })
  })

  it.each([
    ['node22', 'asyncify'],
    ['node24', 'jspi'],
  ] as const)('runs in %s (%s)', async (node, mode) => {
    expect(await runBuilt(entry, { node: nodeBinary(node), readOnly: outDir })).toEqual({
      result: 'OK',
      mode,
    })
  })

  it('runs in a worker thread', async () => {
    expect(await runBuilt(entry, { worker: true, readOnly: outDir })).toEqual({
      result: 'OK',
      mode: 'asyncify',
    })
  })

  it('fails the build on a broken wasm, naming the file and the code', async () => {
    const failedOut = join(TMP, `${bundler.name}-broken`)
    await clean(failedOut)
    const build = bundler.build({
      app: FIXTURE_APP,
      entry: 'src/broken.js',
      outDir: failedOut,
      options: fixtureOptions(),
    })
    const error = await build.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeDefined()
    expect(String((error as Error).message ?? error)).toContain('not-wasm.wasm')
    expect(errorCode(error)).toBe('ASYNCIFY_NOT_WASM')
    // No stale or partial output: the failed build wrote no entry file.
    expect(existsSync(join(failedOut, 'main.js')) || existsSync(join(failedOut, 'main.mjs'))).toBe(false)
  })
})
