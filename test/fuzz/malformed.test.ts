// Malformed input: every section count of the small fixtures made huge, then seeded mutations of the real wasm
// fixtures, all through the public `asyncify()`, with a cache.
// Every input must settle (no hang) with either a result, valid whenever the input was, or an AsyncifyError with
// a known code and a message that names the file (never a crashed worker, a raw abort or an uncoded error). Every
// entry written to the cache must read back whole.
//
// FUZZ_MUTATIONS (default 300) and FUZZ_SEED (default 1) scale it; see docs/security.md for the long run.
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AsyncifyError, type AsyncifyErrorCode, asyncify, closePool } from '@unplugin-asyncify/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Rng } from './generate.ts'
import { mutate, sectionCountSweep } from './mutate.ts'

const MUTATIONS = Number(process.env.FUZZ_MUTATIONS ?? 300)
const FIRST_SEED = Number(process.env.FUZZ_SEED ?? 1)
/** Inputs in flight at once: the pool has two workers, and most inputs never reach one. */
const PARALLEL = 4
/** A generous bound that only a hang reaches, so the failure names the input instead of timing out blind. */
const HANG_MS = 90_000

const FIXTURES_DIR = join(import.meta.dirname, '../fixtures/wasm')
const fixtures = readdirSync(FIXTURES_DIR)
  .filter((name) => name.endsWith('.wasm') && name !== 'not-wasm.wasm')
  .map((name) => ({ name, bytes: readFileSync(join(FIXTURES_DIR, name)) }))
/** The 59 KB C modules cost a second or more per transform; the small ones a few milliseconds. */
const large = fixtures.filter((fixture) => fixture.bytes.length > 10_000)
const small = fixtures.filter((fixture) => fixture.bytes.length <= 10_000)

/**
 * Codes a malformed input must never end with: a worker must never die, and options and reading are not what
 * this test varies. Any other code (every refusal the build knows, now and later) is an acceptable answer.
 */
const UNEXPECTED_CODES: ReadonlySet<AsyncifyErrorCode> = new Set([
  'ASYNCIFY_WORKER_CRASHED',
  'ASYNCIFY_UNKNOWN_OPTION',
  'ASYNCIFY_INVALID_OPTION',
  'ASYNCIFY_LIST_FILE',
  'ASYNCIFY_READ_FAILED',
])

let cacheDir: string
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'asyncify-malformed-'))
})
afterAll(async () => {
  await closePool()
  await rm(cacheDir, { recursive: true, force: true })
})

interface Case {
  seed: number
  file: string
  bytes: Uint8Array<ArrayBuffer>
  applied: string[]
  jspi: 'off' | 'auto'
}

function makeCase(seed: number): Case {
  const rng = new Rng(seed)
  const fixture = rng.chance(0.04) ? rng.pick(large) : rng.pick(small)
  const { bytes, applied } = mutate(
    fixture.bytes,
    rng,
    small.map((donor) => donor.bytes),
  )
  return {
    seed,
    file: `mutant-${seed}-of-${fixture.name}`,
    bytes,
    applied,
    jspi: rng.chance(0.3) ? 'auto' : 'off',
  }
}

/** What happened to one input, or why that outcome is a defect. */
async function check(input: Case): Promise<{ outcome: string; defect?: string; succeeded?: Case }> {
  const label = `seed ${input.seed} (${input.file}: ${input.applied.join(', ')})`
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not settle: a hang`)), HANG_MS)
  })
  try {
    const result = await Promise.race([
      asyncify(input.bytes, { cacheDir, jspi: input.jspi, optimizeLevel: 1 }, { filename: input.file }),
      hang,
    ])
    const inputValid = WebAssembly.validate(input.bytes)
    const outputs = [result.wasm, ...(result.jspiWasm ? [result.jspiWasm] : [])]
    if (inputValid && !outputs.every((wasm) => WebAssembly.validate(wasm))) {
      return { outcome: 'ok', defect: `${label}: valid input, invalid output` }
    }
    return { outcome: inputValid ? 'ok' : 'ok (input invalid for engines)', succeeded: input }
  } catch (error) {
    if (error instanceof Error && error.message.includes('a hang'))
      return { outcome: 'hang', defect: error.message }
    if (!(error instanceof AsyncifyError)) return { outcome: 'uncoded', defect: `${label}: ${String(error)}` }
    if (UNEXPECTED_CODES.has(error.code) || !/^ASYNCIFY_[A-Z_]+$/.test(error.code)) {
      return { outcome: error.code, defect: `${label}: ${error.message}` }
    }
    if (!error.message.startsWith(`Failed to asyncify "${input.file}": `)) {
      return { outcome: error.code, defect: `${label}: message does not name the file: ${error.message}` }
    }
    return { outcome: error.code }
  } finally {
    clearTimeout(timer)
  }
}

describe('malformed input', () => {
  it(
    `${MUTATIONS} mutations of the fixtures from seed ${FIRST_SEED}: a result or a coded error, never a hang or crash`,
    async () => {
      const outcomes = new Map<string, number>()
      const defects: string[] = []
      const succeeded: Case[] = []
      // First every section count of every small fixture made huge, then the random mutations.
      const sweep: Case[] = small.flatMap((fixture) =>
        sectionCountSweep(fixture.bytes).map(({ bytes, id }) => ({
          seed: 0,
          file: `huge-count-in-section-${id}-of-${fixture.name}`,
          bytes,
          applied: [`section ${id} count`],
          jspi: 'off' as const,
        })),
      )
      let next = FIRST_SEED
      const worker = async () => {
        for (let input = sweep.shift(); input; input = sweep.shift()) {
          const result = await check(input)
          outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1)
          if (result.defect) defects.push(result.defect)
        }
        while (next < FIRST_SEED + MUTATIONS) {
          const result = await check(makeCase(next++))
          outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1)
          if (result.defect) defects.push(result.defect)
          if (result.succeeded) succeeded.push(result.succeeded)
        }
      }
      await Promise.all(Array.from({ length: PARALLEL }, worker))
      console.log('malformed-input outcomes:', Object.fromEntries([...outcomes].sort()))
      expect(defects).toEqual([])

      // The cache: every entry written above reads back whole (a hit, the same bytes, no warning).
      for (const input of succeeded.slice(0, 40)) {
        const again = await asyncify(input.bytes, { cacheDir, jspi: input.jspi, optimizeLevel: 1 })
        expect(again.report.cache, `seed ${input.seed}`).toBe('hit')
        expect(again.report.warnings.join('\n')).not.toMatch(/corrupt|could not write/)
      }
    },
    Math.max(180_000, MUTATIONS * 2_000),
  )
})
