// A transform that runs longer than `progressAfterMs` prints one line saying so (nothing looks hung on a first
// load); a result the processor already holds, or `silent`, prints none.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolvePluginOptions } from '../src/plugin/options.ts'
import { WasmProcessor } from '../src/plugin/processor.ts'

const WASM = join(import.meta.dirname, '../../../test/fixtures/wasm/no-memory.wasm')

const cacheDirs: string[] = []
afterAll(() => Promise.all(cacheDirs.map((dir) => rm(dir, { recursive: true, force: true }))))

async function processWith(progressAfterMs: number, silent = false) {
  const lines: string[] = []
  const cacheDir = await mkdtemp(join(tmpdir(), 'asyncify-progress-'))
  cacheDirs.push(cacheDir)
  const processor = new WasmProcessor(resolvePluginOptions({ cacheDir, jspi: 'off', silent }), {
    root: join(import.meta.dirname, '../../..'),
    logger: { info: (line) => lines.push(line), warn: (line) => lines.push(line) },
    progressAfterMs,
  })
  const inline = async () => ({ kind: 'inline' as const, base64: '' })
  await processor.glue(WASM, 'exports', inline)
  const afterFirst = [...lines]
  await processor.glue(WASM, 'init', inline)
  return { afterFirst, all: lines }
}

describe('progress line', () => {
  it('is printed once when the transform outlasts the threshold, before the build line', async () => {
    const { afterFirst, all } = await processWith(0)
    expect(afterFirst[0]).toMatch(
      /^test\/fixtures\/wasm\/no-memory\.wasm: running Asyncify \(\d+ B\)\.\.\. the first build of a file takes a few seconds, later builds come from the cache$/,
    )
    expect(afterFirst[1]).toMatch(/no-memory\.wasm .* functions instrumented/)
    // The second import of the same file reuses the result: no new line.
    expect(all).toEqual(afterFirst)
  })

  it('is not printed for a transform under the threshold, nor with silent', async () => {
    const { all } = await processWith(1e9)
    expect(all.filter((line) => line.includes('running Asyncify'))).toEqual([])
    expect((await processWith(0, true)).all).toEqual([])
  })
})
