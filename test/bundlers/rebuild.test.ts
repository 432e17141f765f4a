// Rebuilds must stay correct: a watch rebuild after the wasm changed, and cached builds (webpack's persistent
// cache, Rspack re-running a compiler with `output.clean`) must still emit the wasm assets they reference.
import { copyFile, cp, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { rspack } from '@rspack/core'
import asyncifyRspack from 'unplugin-asyncify/rspack'
import asyncifyWebpack from 'unplugin-asyncify/webpack'
import { describe, expect, it } from 'vitest'
import webpack from 'webpack'
import { clean, runCompiler, webpackConfig } from './builders.ts'
import { FIXTURE_APP, fixtureOptions, runBuilt, TMP, WASM_FIXTURES } from './utils.ts'

/** A private copy of the fixture app (the tests edit its wasm) with `wasm` as src/watched.wasm. */
async function copyApp(name: string, wasm: string): Promise<string> {
  const app = join(TMP, name, 'app')
  await clean(join(TMP, name))
  await cp(join(FIXTURE_APP, 'src'), join(app, 'src'), {
    recursive: true,
    filter: (src) => !src.endsWith('.wasm'),
  })
  await copyFile(join(WASM_FIXTURES, wasm), join(app, 'src/watched.wasm'))
  return app
}

const wasmFiles = async (dir: string) => (await readdir(dir)).filter((file) => file.endsWith('.wasm')).sort()

describe('webpack watch', () => {
  it('rebuilds when the wasm file changes', async () => {
    const app = await copyApp('webpack-watch', 'compute.wasm')
    const outDir = join(TMP, 'webpack-watch/dist')
    const input = { app, entry: 'src/watched.js', outDir, options: fixtureOptions(app) }
    const compiler = webpack(webpackConfig(input, [asyncifyWebpack(input.options)]) as webpack.Configuration)
    const wasm = join(app, 'src/watched.wasm')
    /** Per finished build: its errors, and whether it was triggered by a change of the wasm file. */
    const builds: { errors: string[]; wasmChanged: boolean }[] = []
    let notify: () => void = () => {}
    const watching = compiler.watch({ aggregateTimeout: 50 }, (error, stats) => {
      const errors = error ? [String(error)] : stats!.compilation.errors.map(String)
      builds.push({ errors, wasmChanged: Boolean(compiler.modifiedFiles?.has(wasm)) })
      notify()
    })
    const waitFor = (done: () => boolean) =>
      new Promise<void>((resolve) => {
        notify = () => done() && resolve()
        notify()
      })
    try {
      await waitFor(() => builds.length > 0)
      expect(builds[0]!.errors).toEqual([])
      expect((await runBuilt(join(outDir, 'main.mjs'))).result).toBe('run=2001')

      // Swap in another module; wait for the build that change triggered (not some earlier rebuild).
      await copyFile(join(WASM_FIXTURES, 'multi-value.wasm'), wasm)
      await waitFor(() => builds.some((build) => build.wasmChanged))
      expect(builds.find((build) => build.wasmChanged)!.errors).toEqual([])
      expect((await runBuilt(join(outDir, 'main.mjs'))).result).toBe('pair=5,4294967301')
    } finally {
      await new Promise<void>((resolve) => watching.close(() => resolve()))
    }
  })
})

describe('cached rebuilds keep the wasm assets', () => {
  it('webpack: a second compiler restores the glue from the persistent cache', async () => {
    const app = await copyApp('webpack-cache', 'compute.wasm')
    const outDir = join(TMP, 'webpack-cache/dist')
    const input = { app, entry: 'src/watched.js', outDir, options: fixtureOptions(app) }
    const config = () => ({
      ...webpackConfig(input, [asyncifyWebpack(input.options)]),
      cache: { type: 'filesystem' as const, cacheDirectory: join(TMP, 'webpack-cache/cache') },
    })
    const builtGlue: boolean[] = []
    for (let run = 0; run < 2; run++) {
      const compiler = webpack(config() as webpack.Configuration)
      compiler.hooks.done.tap('test', (stats) => {
        const glue = stats
          .toJson({ modules: true })
          .modules?.find((m) => m.name?.includes('watched.wasm?asyncify'))
        builtGlue.push(Boolean(glue?.built))
      })
      await runCompiler(compiler)
    }
    // The loader ran once; the second build came from the cache, and `output.clean` emptied the output before it.
    expect(builtGlue).toEqual([true, false])
    expect(await wasmFiles(outDir)).toHaveLength(2)
    expect((await runBuilt(join(outDir, 'main.mjs'))).result).toBe('run=2001')
  })

  it('Rspack: re-running one compiler with output.clean', async () => {
    const app = await copyApp('rspack-rerun', 'compute.wasm')
    const outDir = join(TMP, 'rspack-rerun/dist')
    const input = { app, entry: 'src/watched.js', outDir, options: fixtureOptions(app) }
    const compiler = rspack(
      webpackConfig(input, [asyncifyRspack(input.options)]) as Parameters<typeof rspack>[0],
    )
    const run = () =>
      new Promise<void>((resolve, reject) =>
        compiler.run((error, stats) =>
          error || stats?.hasErrors() ? reject(error ?? stats?.compilation.errors[0]) : resolve(),
        ),
      )
    await run()
    await run()
    await new Promise<void>((resolve) => compiler.close(() => resolve()))
    expect(await wasmFiles(outDir)).toHaveLength(2)
    expect((await runBuilt(join(outDir, 'main.mjs'))).result).toBe('run=2001')
  })
})
