import { execFile } from 'node:child_process'
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { poolStats } from '../src/binaryen/pool.ts'
import type { TransformOutput } from '../src/binaryen/protocol.ts'
import { cacheKey, entryPath, readCache, writeCache } from '../src/cache.ts'
import { asyncify, resolveOptions } from '../src/index.ts'
import { CORE_DIR, fixture, fixturePath } from './helpers/fixtures.ts'

const input = fixture('multi-value.wasm')
let cacheDir: string

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'asyncify-cache-'))
})
afterEach(() => rm(cacheDir, { recursive: true, force: true }))

/** Every file below `dir`, relative paths. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path, `${prefix}${name}/`) : [`${prefix}${name}`]
  })
}

describe('cache', () => {
  it('a miss stores the entry; a hit returns the same result without starting a worker', async () => {
    const first = await asyncify(input, { cacheDir, jspi: 'auto' }, { filename: 'a.wasm' })
    expect(first.report.cache).toBe('miss')
    // One file per entry: both binaries and the header, replaced atomically as a whole.
    const stored = files(cacheDir)
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}\.entry$/)

    const before = poolStats()
    const second = await asyncify(input, { cacheDir, jspi: 'auto' }, { filename: 'b.wasm' })
    expect(poolStats()).toEqual(before) // no job, no worker started
    expect(second.report.cache).toBe('hit')
    expect(second.report.file).toBe('b.wasm')
    expect(Buffer.from(second.wasm).equals(Buffer.from(first.wasm))).toBe(true)
    expect(Buffer.from(second.jspiWasm!).equals(Buffer.from(first.jspiWasm!))).toBe(true)
    expect(second.meta).toEqual({ ...first.meta, file: 'b.wasm' })
    expect(first.meta.file).toBe('a.wasm')
    expect({ ...second.report, timeMs: 0, cache: 'x', file: 'x' }).toEqual({
      ...first.report,
      timeMs: 0,
      cache: 'x',
      file: 'x',
    })
  })

  it('different options or bytes are different entries', async () => {
    await asyncify(input, { cacheDir, jspi: 'off' })
    const other = await asyncify(input, { cacheDir, jspi: 'off', optimizeLevel: 1 })
    expect(other.report.cache).toBe('miss')
    const otherBytes = await asyncify(fixture('no-memory.wasm'), { cacheDir, jspi: 'off' })
    expect(otherBytes.report.cache).toBe('miss')
    expect(files(cacheDir).filter((path) => path.endsWith('.entry'))).toHaveLength(3)
  })

  it('the key ignores option order and depends on every option that changes the output', async () => {
    const a = await resolveOptions({ jspi: 'off', optimizeLevel: 1 })
    const b = await resolveOptions({ optimizeLevel: 1, jspi: 'off' })
    const strip = ({
      cacheDir: _,
      stackSize: _s,
      maxPausedCalls: _m,
      profile: _p,
      profileFile: _f,
      ...rest
    }: typeof a) => ({ ...rest, functionNames: false, profiled: false })
    expect(cacheKey(input, strip(a))).toBe(cacheKey(input, strip(b)))
    expect(cacheKey(input, { ...strip(a), optimizeLevel: 2 })).not.toBe(cacheKey(input, strip(a)))
    expect(cacheKey(input, { ...strip(a), keepNames: !a.keepNames })).not.toBe(cacheKey(input, strip(a)))
  })

  it('options the runtime reads from the meta (stackSize, maxPausedCalls) share one entry', async () => {
    const first = await asyncify(input, { cacheDir, jspi: 'off', stackSize: 4096 })
    const second = await asyncify(input, { cacheDir, jspi: 'off', stackSize: 8192, maxPausedCalls: 3 })
    expect(second.report.cache).toBe('hit')
    expect(second.wasm).toEqual(first.wasm)
    expect([first.meta.buffer.stackSize, second.meta.buffer.stackSize]).toEqual([4096, 8192])
    expect(second.meta.maxPausedCalls).toBe(3)
  })

  it.each([
    ['a truncated wasm', (path: string) => truncateSync(path, statSync(path).size - 10)],
    [
      'a flipped byte',
      (path: string) => {
        const bytes = readFileSync(path)
        bytes[bytes.length - 1] ^= 0xff
        writeFileSync(path, bytes)
      },
    ],
    ['a partial header', (path: string) => truncateSync(path, 20)],
    ['trailing bytes', (path: string) => appendFileSync(path, 'x')],
    ['an empty file', (path: string) => truncateSync(path, 0)],
  ])('%s is detected and rebuilt', async (_, corrupt) => {
    const first = await asyncify(input, { cacheDir, jspi: 'off' })
    const entry = files(cacheDir).find((path) => path.endsWith('.entry'))!
    corrupt(join(cacheDir, entry))
    const rebuilt = await asyncify(input, { cacheDir, jspi: 'off' })
    expect(rebuilt.report.cache).toBe('miss')
    expect(rebuilt.report.warnings.join('\n')).toMatch(/rebuilt a corrupt cache entry/)
    expect(Buffer.from(rebuilt.wasm).equals(Buffer.from(first.wasm))).toBe(true)
    const again = await asyncify(input, { cacheDir, jspi: 'off' })
    expect(again.report.cache).toBe('hit')
    expect(again.report.warnings).toEqual([])
  })

  it('cacheDir: false never reads or writes', async () => {
    const result = await asyncify(input, { cacheDir: false, jspi: 'off' })
    expect(result.report.cache).toBe('off')
    expect(files(cacheDir)).toEqual([])
  })

  it('an unwritable cache directory is a warning, not a failure', async () => {
    const blocker = join(cacheDir, 'file')
    writeFileSync(blocker, 'not a directory')
    const result = await asyncify(input, { cacheDir: blocker, jspi: 'off' })
    expect(result.report.cache).toBe('miss')
    expect(result.report.warnings.join('\n')).toMatch(/could not write the cache/)
  })

  it('concurrent writers and readers of one entry never see a partial or missing entry', async () => {
    // Real parallelism: fs calls run on libuv's thread pool. The old directory-per-entry layout failed here
    // (a writer removed the entry another had just renamed into place; readers found files missing).
    const output: TransformOutput = {
      wasm: new Uint8Array(300_000).fill(3),
      jspiWasm: new Uint8Array(200_000).fill(4),
      meta: (await asyncify(input, { cacheDir: false, jspi: 'off' })).meta,
      instrumented: 1,
      totalFunctions: 2,
      warnings: [],
    }
    const problems: string[] = []
    for (let round = 0; round < 10; round++) {
      const key = round.toString(16).padStart(64, 'a')
      let writing = true
      const writers = Promise.all(
        Array.from({ length: 8 }, () =>
          writeCache(cacheDir, key, output).catch((error: Error) => problems.push(`write: ${error.message}`)),
        ),
      ).finally(() => {
        writing = false
      })
      const readers = Array.from({ length: 4 }, async () => {
        while (writing) {
          const lookup = await readCache(cacheDir, key)
          if (lookup.status === 'corrupt') problems.push(`read: ${lookup.reason}`)
        }
      })
      await Promise.all([writers, ...readers])
      expect((await readCache(cacheDir, key)).status).toBe('hit')
    }
    expect(problems).toEqual([])
    // Nothing but entries is left: every temporary file was renamed or removed.
    expect(files(cacheDir).every((path) => path.endsWith('.entry'))).toBe(true)
    expect(entryPath(cacheDir, 'ab'.repeat(32))).toBe(join(cacheDir, 'ab', `${'ab'.repeat(32)}.entry`))
  })

  it('several processes building the same files into one cache are silent and agree', async () => {
    // Each process asks for the same 2 entries twice at once, then again: writes race across and within
    // processes, and reads overlap other processes' writes.
    const script = join(cacheDir, 'build.mjs')
    await writeFile(
      script,
      [
        `import { readFileSync } from 'node:fs'`,
        `import { createHash } from 'node:crypto'`,
        `import { asyncify, closePool } from ${JSON.stringify(pathToFileURL(join(CORE_DIR, 'dist/index.mjs')).href)}`,
        `const bytes = readFileSync(${JSON.stringify(fixturePath('multi-value.wasm'))})`,
        `const cacheDir = ${JSON.stringify(join(cacheDir, 'shared'))}`,
        'const seen = []',
        'for (let round = 0; round < 2; round++) {',
        '  const variants = [1, 2, 1, 2]',
        '  const results = await Promise.all(variants.map((optimizeLevel) =>',
        "    asyncify(bytes, { cacheDir, jspi: 'off', optimizeLevel })))",
        '  results.forEach((r, i) => seen.push({',
        "    hash: createHash('sha256').update(r.wasm).digest('hex'),",
        '    variant: variants[i], warnings: r.report.warnings }))',
        '}',
        'await closePool()',
        'process.stdout.write(JSON.stringify(seen))',
      ].join('\n'),
    )
    type Seen = { hash: string; variant: number; warnings: string[] }[]
    const runs = await Promise.all(
      Array.from({ length: 3 }, () =>
        promisify(execFile)(process.execPath, [script], { timeout: 120_000 }).then(
          ({ stdout }) => JSON.parse(stdout) as Seen,
        ),
      ),
    )
    const all = runs.flat()
    expect(all.flatMap((entry) => entry.warnings)).toEqual([])
    // One result per option set, whichever process built or read it.
    const byVariant = new Map<number, Set<string>>()
    for (const entry of all)
      byVariant.set(entry.variant, (byVariant.get(entry.variant) ?? new Set()).add(entry.hash))
    expect([...byVariant.values()].map((hashes) => hashes.size)).toEqual([1, 1])
    expect(files(join(cacheDir, 'shared')).filter((path) => path.endsWith('.entry'))).toHaveLength(2)
    expect(files(join(cacheDir, 'shared')).every((path) => path.endsWith('.entry'))).toBe(true)
  })
})
