// One programmatic build per bundler, all with the same shape: build `entry` of the fixture app into `outDir` as
// an ES module for Node and return the built entry file. Errors are thrown as the bundler reports them.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { rspack } from '@rspack/core'
import * as esbuild from 'esbuild'
import * as rolldown from 'rolldown'
import * as rollup from 'rollup'
import type { Options } from 'unplugin-asyncify'
import asyncifyEsbuild from 'unplugin-asyncify/esbuild'
import asyncifyRolldown from 'unplugin-asyncify/rolldown'
import asyncifyRollup from 'unplugin-asyncify/rollup'
import asyncifyRspack from 'unplugin-asyncify/rspack'
import asyncifyVite from 'unplugin-asyncify/vite'
import asyncifyWebpack from 'unplugin-asyncify/webpack'
import * as vite from 'vite'
import webpack from 'webpack'

export interface BuildInput {
  /** The app root (the fixture app or a copy of it). */
  app: string
  /** Entry file relative to the app root. */
  entry: string
  outDir: string
  options: Options
}

export interface Bundler {
  name: string
  /** Whether the bundler handles a plain `.wasm` import itself (ESM integration). */
  plainWasm: boolean
  build(input: BuildInput): Promise<string>
}

/** Vite's own output stays quiet; our plugin's lines go to the console like in the other bundlers. */
function pluginOnlyLogger(): vite.Logger {
  const ours = (message: string) => message.includes('[unplugin-asyncify]')
  return {
    ...vite.createLogger('silent'),
    info: (message) => {
      if (ours(message)) console.log(message)
    },
    warn: (message) => {
      if (ours(message)) console.warn(message)
    },
  }
}

async function viteBuild({ app, entry, outDir, options }: BuildInput, ssr: boolean): Promise<string> {
  await vite.build({
    root: app,
    configFile: false,
    customLogger: pluginOnlyLogger(),
    // The client build is executed in Node by the tests, so asset URLs must be relative to the chunk.
    base: ssr ? '/' : './',
    plugins: [asyncifyVite(options)],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'esnext',
      ssr: ssr ? entry : undefined,
      rolldownOptions: {
        input: join(app, entry),
        preserveEntrySignatures: 'exports-only',
        output: { entryFileNames: 'main.js' },
      },
    },
  })
  return join(outDir, 'main.js')
}

async function rollupBuild({ app, entry, outDir, options }: BuildInput): Promise<string> {
  const bundle = await rollup.rollup({
    input: join(app, entry),
    plugins: [asyncifyRollup(options)],
    logLevel: 'silent',
  })
  try {
    await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'main.js' })
  } finally {
    await bundle.close()
  }
  return join(outDir, 'main.js')
}

async function rolldownBuild({ app, entry, outDir, options }: BuildInput): Promise<string> {
  await rolldown.build({
    input: join(app, entry),
    cwd: app,
    logLevel: 'silent',
    plugins: [asyncifyRolldown(options)],
    output: { dir: outDir, format: 'es', entryFileNames: 'main.js' },
  })
  return join(outDir, 'main.js')
}

async function esbuildBuild({ app, entry, outDir, options }: BuildInput): Promise<string> {
  await esbuild.build({
    absWorkingDir: app,
    entryPoints: { main: entry },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outdir: outDir,
    logLevel: 'silent',
    plugins: [asyncifyEsbuild(options)],
  })
  return join(outDir, 'main.js')
}

/** webpack and Rspack share the config: ESM output for Node, unminified, the plugin or a hand-written rule. */
export function webpackConfig({ app, entry, outDir }: BuildInput, plugins: unknown[], rules: unknown[] = []) {
  return {
    mode: 'production' as const,
    context: app,
    entry: `./${entry}`,
    target: 'node',
    devtool: false as const,
    output: {
      path: outDir,
      filename: 'main.mjs',
      module: true,
      library: { type: 'module' as const },
      clean: true,
    },
    experiments: { outputModule: true },
    optimization: { minimize: false },
    module: { rules },
    plugins,
  }
}

interface CompilerLike {
  run(callback: (error: Error | null, stats?: StatsLike) => void): void
  close(callback: (error?: Error | null) => void): void
}
interface StatsLike {
  hasErrors(): boolean
  compilation: { errors: Error[] }
}

/** Run a webpack/Rspack compiler once; compilation errors are thrown (the first one, with its details). */
export async function runCompiler(compiler: CompilerLike): Promise<void> {
  const stats = await new Promise<StatsLike>((resolve, reject) =>
    compiler.run((error, result) => (error ? reject(error) : resolve(result!))),
  )
  await new Promise<void>((resolve) => compiler.close(() => resolve()))
  if (stats.hasErrors()) throw stats.compilation.errors[0]
}

export const loaderRule = (options: Options) => ({
  resourceQuery: /asyncify/,
  type: 'javascript/auto',
  parser: { exportsPresence: 'error' },
  use: [{ loader: 'unplugin-asyncify/webpack-loader', options }],
})

async function webpackBuild(input: BuildInput, mode: 'plugin' | 'loader'): Promise<string> {
  const config =
    mode === 'plugin'
      ? webpackConfig(input, [asyncifyWebpack(input.options)])
      : webpackConfig(input, [], [loaderRule(input.options)])
  await runCompiler(webpack(config as webpack.Configuration) as unknown as CompilerLike)
  return join(input.outDir, 'main.mjs')
}

async function rspackBuild(input: BuildInput): Promise<string> {
  const config = webpackConfig(input, [asyncifyRspack(input.options)])
  await runCompiler(rspack(config as Parameters<typeof rspack>[0]) as unknown as CompilerLike)
  return join(input.outDir, 'main.mjs')
}

/** Every bundler the plugin supports, built the same way. */
export const bundlers: Bundler[] = [
  { name: 'vite', plainWasm: true, build: (input) => viteBuild(input, false) },
  { name: 'vite-ssr', plainWasm: true, build: (input) => viteBuild(input, true) },
  { name: 'rollup', plainWasm: false, build: rollupBuild },
  { name: 'rolldown', plainWasm: false, build: rolldownBuild },
  { name: 'webpack', plainWasm: true, build: (input) => webpackBuild(input, 'plugin') },
  { name: 'webpack-loader', plainWasm: true, build: (input) => webpackBuild(input, 'loader') },
  { name: 'rspack', plainWasm: true, build: rspackBuild },
  { name: 'esbuild', plainWasm: false, build: esbuildBuild },
]

/** Remove an output directory before a build, so nothing stale can pass for a result. */
export async function clean(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}
