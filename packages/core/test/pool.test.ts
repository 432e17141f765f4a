import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { InternalAsyncifyContext } from '../src/asyncify.ts'
import { getPool, poolStats } from '../src/binaryen/pool.ts'
import { asyncify, resolveOptions } from '../src/index.ts'
import { CORE_DIR, fixture, fixturePath } from './helpers/fixtures.ts'

const input = fixture('no-memory.wasm')
const options = { cacheDir: false as const, jspi: 'off' as const }

describe('worker pool', () => {
  it('starts workers lazily, at most two', async () => {
    expect(poolStats().workersStarted).toBe(0)
    await Promise.all(Array.from({ length: 4 }, () => asyncify(input, options)))
    expect(poolStats().workersStarted).toBeLessThanOrEqual(2)
    expect(poolStats().jobs).toBe(4)
  })

  it('a Binaryen abort fails the job with a clear error, restarts the worker, and the next job succeeds', async () => {
    const before = poolStats()
    const context: InternalAsyncifyContext = { filename: 'abort.wasm', fault: 'abort' }
    await expect(asyncify(input, options, context)).rejects.toMatchObject({
      code: 'ASYNCIFY_BINARYEN_FAILED',
      message: expect.stringMatching(/^Failed to asyncify "abort\.wasm": Binaryen aborted \(.*Aborted/),
    })
    expect(poolStats().restarts).toBe(before.restarts + 1)
    // Two jobs at once need two workers: the aborted one was replaced by a fresh one.
    const next = await Promise.all([asyncify(input, options), asyncify(input, options)])
    expect(next.map((result) => result.meta.exports.map((e) => e.name))).toEqual([['twice'], ['twice']])
    expect(poolStats().workersStarted).toBeGreaterThan(before.workersStarted)
  })

  it('a worker that dies fails its job with ASYNCIFY_WORKER_CRASHED and is replaced', async () => {
    const before = poolStats()
    const context: InternalAsyncifyContext = { filename: 'exit.wasm', fault: 'exit' }
    await expect(asyncify(input, options, context)).rejects.toMatchObject({
      code: 'ASYNCIFY_WORKER_CRASHED',
      message: expect.stringMatching(
        /^Failed to asyncify "exit\.wasm": the Binaryen worker died \(exit code 70\)/,
      ),
    })
    expect(poolStats().restarts).toBe(before.restarts + 1)
    const [a, b] = await Promise.all([asyncify(input, options), asyncify(input, options)])
    expect(a.wasm).toEqual(b.wasm)
  })

  it('an allocation failure fails the job with a clear error and replaces the worker', async () => {
    const before = poolStats()
    const context: InternalAsyncifyContext = { filename: 'huge.wasm', fault: 'alloc' }
    await expect(asyncify(input, options, context)).rejects.toMatchObject({
      code: 'ASYNCIFY_BINARYEN_FAILED',
      message: expect.stringMatching(
        /^Failed to asyncify "huge\.wasm": Binaryen ran out of memory \(std::bad_alloc/,
      ),
    })
    expect(poolStats().restarts).toBe(before.restarts + 1)
    const [a, b] = await Promise.all([asyncify(input, options), asyncify(input, options)])
    expect(a.wasm).toEqual(b.wasm)
  })

  it('a worker left holding more than 1 GiB after a job is replaced, the job still succeeds', async () => {
    const before = poolStats()
    const context: InternalAsyncifyContext = { filename: 'big.wasm', fault: 'heap' }
    const result = await asyncify(input, options, context)
    expect(result.meta.exports.map((entry) => entry.name)).toEqual(['twice'])
    expect(poolStats()).toMatchObject({ recycled: before.recycled + 1, restarts: before.restarts })
    // Two jobs at once need two workers: the one holding the memory is gone, a fresh one starts.
    await Promise.all([asyncify(input, options), asyncify(input, options)])
    expect(poolStats().workersStarted).toBeGreaterThan(before.workersStarted)
  })

  it('works from a `node --input-type=module -e` script (workers do not inherit --input-type)', async () => {
    const script = [
      `import { asyncify, closePool } from ${JSON.stringify(pathToFileURL(join(CORE_DIR, 'dist/index.mjs')).href)}`,
      "import { readFileSync } from 'node:fs'",
      `const result = await asyncify(readFileSync(${JSON.stringify(fixturePath('no-memory.wasm'))}), { cacheDir: false })`,
      'await closePool()',
      "process.stdout.write(result.meta.exports.map((entry) => entry.name).join(','))",
    ].join('\n')
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script])
    expect(stdout).toBe('twice')
  })

  it('runs jobs queued while a worker is being replaced', async () => {
    const resolved = await resolveOptions(options)
    const { cacheDir: _, profile: _p, profileFile: _f, ...rest } = resolved
    const transformOptions = { ...rest, functionNames: false, profiled: false }
    const pool = getPool()
    const results = await Promise.allSettled([
      pool.run(input.slice(), transformOptions, 'abort'),
      pool.run(input.slice(), transformOptions),
      pool.run(input.slice(), transformOptions, 'exit'),
      pool.run(input.slice(), transformOptions),
      pool.run(input.slice(), transformOptions),
    ])
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
  })
})
