import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { WasmMeta } from '@unplugin-asyncify/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveImportModules, unprovidedModules } from '../src/plugin/import-modules.ts'

const TMP = join(import.meta.dirname, '.tmp/import-modules')
const ROOT = join(TMP, 'project')
const WASM = join(ROOT, 'src/game.wasm')

function metaImporting(...modules: string[]): WasmMeta {
  return {
    version: 2,
    imports: modules.map((module) => ({
      module,
      name: 'f',
      kind: 'function',
      sig: { params: [], results: [] },
    })),
    exports: [],
    memory: { origin: 'internal', is64: false, shared: false, initial: 1 },
    buffer: { stackSize: 65536, top: {} },
    maxPausedCalls: 256,
    inWasmRuntime: false,
    jspi: 'auto',
  }
}

beforeAll(async () => {
  await rm(TMP, { recursive: true, force: true })
  // Installed packages: a real one, one named like the `env` host module, and a scoped one.
  for (const name of ['wasm-helpers', 'env', '@scope/imports']) {
    await mkdir(join(ROOT, 'node_modules', name), { recursive: true })
    await writeFile(join(ROOT, 'node_modules', name, 'package.json'), JSON.stringify({ name }))
  }
})

afterAll(() => rm(TMP, { recursive: true, force: true }))

describe('resolveImportModules', () => {
  it('resolves configured paths from the root and keeps package names', () => {
    const meta = metaImporting('env', 'wasi_snapshot_preview1')
    expect(
      resolveImportModules(meta, WASM, ROOT, { env: './src/env.js', wasi_snapshot_preview1: 'my-wasi' }),
    ).toEqual({
      env: `${ROOT}/src/env.js`,
      wasi_snapshot_preview1: 'my-wasi',
    })
  })

  it('imports specifier-like module names relative to the wasm file (ESM integration)', () => {
    const meta = metaImporting('./env.js', '../shared/math.js')
    expect(resolveImportModules(meta, WASM, ROOT, {})).toEqual({
      './env.js': `${ROOT}/src/env.js`,
      '../shared/math.js': `${ROOT}/shared/math.js`,
    })
  })

  it('imports installed packages, but never for conventional host module names', () => {
    const meta = metaImporting(
      'wasm-helpers',
      '@scope/imports/sub.js',
      'env',
      'not-installed',
      'wasi:cli/run',
    )
    expect(resolveImportModules(meta, WASM, ROOT, {})).toEqual({
      'wasm-helpers': 'wasm-helpers',
      '@scope/imports/sub.js': '@scope/imports/sub.js',
    })
  })

  it('lists what stays unprovided', () => {
    const meta = metaImporting('env', 'env', './env.js')
    const provided = resolveImportModules(meta, WASM, ROOT, {})
    expect(unprovidedModules(meta, provided)).toEqual(['env'])
  })
})
