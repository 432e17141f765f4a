// When the plugin wires @unplugin-asyncify/wasi in: a wasm importing wasi_snapshot_preview1 gets it unless
// `wasi: false` or an importModules entry says otherwise; its declarations follow.
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Options, resolvePluginOptions } from '../src/plugin/options.ts'
import { wasiPath } from '../src/plugin/paths.ts'
import { WasmProcessor } from '../src/plugin/processor.ts'

const ROOT = join(import.meta.dirname, '../../..')
const BLOCKING = join(ROOT, 'test/fixtures/wasi/blocking.wasm')
const DTS = join(import.meta.dirname, '.tmp/wasi-glue/asyncify-wasm.d.ts')
const warnings: string[] = []

function processor(options: Options): WasmProcessor {
  return new WasmProcessor(
    resolvePluginOptions({
      asyncImports: [],
      optimizeLevel: 1,
      cacheDir: join(tmpdir(), 'unplugin-asyncify-wasi-tests'),
      silent: false,
      ...options,
    }),
    { root: ROOT, logger: { info: () => {}, warn: (message) => warnings.push(message) } },
  )
}

const inline = async () => ({ kind: 'inline' as const, base64: '' })

afterAll(async () => {
  await rm(join(import.meta.dirname, '.tmp/wasi-glue'), { recursive: true, force: true })
})

describe('WASI in the glue', () => {
  it('wires instantiateWasi with the configured options and module, and declares _start as { exitCode }', async () => {
    const glue = await processor({
      wasi: { args: ['blocking', 'echo'], optionsModule: './src/wasi-options.js' },
      dts: DTS,
    }).glue(BLOCKING, 'exports', inline)
    expect(glue).toContain(
      `import { instantiateWasi as __asyncify_instantiate } from ${JSON.stringify(wasiPath())}`,
    )
    expect(glue).toContain(
      `import __asyncify_wasi_module from ${JSON.stringify(join(ROOT, 'src/wasi-options.js'))}`,
    )
    expect(glue).toContain(
      'const __asyncify_wasi = { ...{"args":["blocking","echo"]}, ...__asyncify_wasi_module }',
    )
    expect(glue).toContain('export const _start = ')
    const dts = await readFile(DTS, 'utf8')
    expect(dts).toContain('export function _start(): Promise<{ exitCode: number }>')
    expect(dts).toContain('export type Options = InstantiateOptions & { wasi?: WasiOptions }')
    // WASI is provided, so the named exports can link: no "no JS module provides" warning
    expect(warnings).toEqual([])
  })

  it('uses the runtime alone with wasi: false, or when importModules provides wasi_snapshot_preview1', async () => {
    for (const options of [
      { wasi: false as const },
      { importModules: { wasi_snapshot_preview1: './src/my-wasi.js' } },
    ]) {
      const glue = await processor(options).glue(BLOCKING, 'init', inline)
      expect(glue).not.toContain('instantiateWasi')
      expect(glue).toContain('import { instantiate as __asyncify_instantiate }')
    }
  })
})
