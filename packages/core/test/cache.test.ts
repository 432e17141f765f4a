import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { poolStats } from '../src/binaryen/pool.ts'
import { cacheKey } from '../src/cache.ts'
import { asyncify, resolveOptions } from '../src/index.ts'
import { fixture } from './helpers/fixtures.ts'

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
    const stored = files(cacheDir)
    expect(stored.map((path) => path.split('/').pop()).sort()).toEqual([
      'asyncify.wasm',
      'entry.json',
      'jspi.wasm',
    ])

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
    expect(files(cacheDir).filter((path) => path.endsWith('entry.json'))).toHaveLength(3)
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
    ['a truncated wasm', (dir: string) => truncateSync(join(dir, 'asyncify.wasm'), 10)],
    [
      'a flipped byte',
      (dir: string) => {
        const path = join(dir, 'asyncify.wasm')
        const bytes = readFileSync(path)
        bytes[bytes.length - 1] ^= 0xff
        writeFileSync(path, bytes)
      },
    ],
    ['a partial entry.json', (dir: string) => truncateSync(join(dir, 'entry.json'), 20)],
  ])('%s is detected and rebuilt', async (_, corrupt) => {
    const first = await asyncify(input, { cacheDir, jspi: 'off' })
    const entry = files(cacheDir).find((path) => path.endsWith('entry.json'))!
    corrupt(join(cacheDir, entry, '..'))
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
})
