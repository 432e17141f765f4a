/** Builds the runtime with its own tsdown config into a fresh directory: what `dist/index.mjs` would be. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { RUNTIME_DIR } from './env.ts'

export function buildRuntime(): { file: string; code: string } {
  const outDir = mkdtempSync(join(tmpdir(), 'runtime-dist-'))
  const tsdownPkg = createRequire(join(RUNTIME_DIR, 'package.json')).resolve('tsdown/package.json')
  const bin = join(dirname(tsdownPkg), JSON.parse(readFileSync(tsdownPkg, 'utf8')).bin.tsdown)
  const result = spawnSync(process.execPath, [bin, '--out-dir', outDir, '--no-dts'], {
    cwd: RUNTIME_DIR,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`Failed to build the runtime: ${result.stderr || result.stdout}`)
  const file = join(outDir, 'index.mjs')
  return { file, code: readFileSync(file, 'utf8') }
}
