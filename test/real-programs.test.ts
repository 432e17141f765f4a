// Real programs (QuickJS and Lua 5.4 from bench/programs/, built with clang + wasi-libc) asyncified through
// the public asyncify() and run through instantiate(), with imports that really pause (read_line, sleep on
// timers): every output must equal the original module's, run synchronously. Node 20 runs Asyncify here;
// Node 26 runs Asyncify and JSPI in a child process.
// The same scripts also run on a build from each program's committed profile (profile-guided instrumentation).
// Cost: two -O1 builds per program through the default cache (node_modules/.cache/unplugin-asyncify), which
// `node bench/real.mjs --quick` then reuses. Cold on this 2-core machine: about 30-90 s for QuickJS and 20-40 s
// for Lua depending on load (the profile builds a third of that); a few seconds once cached. The runs themselves
// take a few seconds.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asyncify, closePool } from '@unplugin-asyncify/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContext, buildOptions, programs } from '../bench/programs/programs.mjs'
import { jspiNode } from './bundlers/utils.ts'
import { INPUT, runCases } from './real-programs/check.mjs'

type Run = { status?: number; stdout?: string; pauses?: number; mode?: string; error?: string }
type Results = Record<string, Record<string, Record<string, Run>>>

const dir = mkdtempSync(join(tmpdir(), 'asyncify-real-test-'))
const node20: Results = {}
let node26: Results = {}
/** Builds from the committed profiles (bench/programs/<name>/<name>.asyncify-profile.json), Node 20. */
const profiled: Results = {}
const profiledCounts: Record<string, { instrumented: number; recorded: number; warnings: string[] }> = {}

beforeAll(async () => {
  const listed = []
  for (const program of programs) {
    const original = readFileSync(program.wasm)
    const built = await asyncify(original, buildOptions({ optimizeLevel: 1 }), buildContext(program))
    if (!built.jspiWasm) throw new Error(`${program.name}: the build has no JSPI twin`)
    const write = (suffix: string, bytes: Uint8Array | string) =>
      writeFileSync(join(dir, `${program.name}.${suffix}`), bytes)
    write('original.wasm', original)
    write('asyncify.wasm', built.wasm)
    write('jspi.wasm', built.jspiWasm)
    write('meta.json', JSON.stringify(built.meta))
    listed.push({ name: program.name, scripts: program.scripts })
    node20[program.name] = await runCases(
      { original, asyncify: built.wasm, jspi: built.jspiWasm, meta: built.meta },
      program.scripts,
    )
    // the profile recorded by running these scripts (bench/programs/record-profile.mjs) covers them
    const fromProfile = await asyncify(
      original,
      buildOptions({ optimizeLevel: 1, extra: { profile: true } }),
      buildContext(program),
    )
    const recorded = JSON.parse(
      readFileSync(program.wasm.replace(/\.wasm$/, '.asyncify-profile.json'), 'utf8'),
    ).functions.length
    profiledCounts[program.name] = {
      instrumented: fromProfile.report.instrumented,
      recorded,
      warnings: fromProfile.report.warnings,
    }
    profiled[program.name] = await runCases(
      { original, asyncify: fromProfile.wasm, jspi: fromProfile.jspiWasm!, meta: fromProfile.meta },
      program.scripts,
    )
  }
  await closePool()
  writeFileSync(join(dir, 'programs.json'), JSON.stringify(listed))
  const cli = join(import.meta.dirname, 'real-programs/cli.mjs')
  const stdout = execFileSync(jspiNode(), [cli, dir], { encoding: 'utf8', maxBuffer: 64 << 20 })
  node26 = JSON.parse(stdout).results
}, 900_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('both real programs are built and committed', () => {
  expect(programs.map((p) => p.name)).toEqual(['quickjs', 'lua'])
})

/** What the original module printed for each script: known values, so a broken reference cannot pass. */
const reference: Record<string, (stdout: string) => void> = {
  'reads lines and sleeps': (stdout) => {
    expect(stdout).toMatch(/carol=11.*bob=7.*alice=3/)
    expect(stdout).toContain('"not a record"')
    // one line per record (4 of the 5 input lines) and the summary
    expect(stdout.match(/slept/g)).toHaveLength(INPUT.length)
  },
  'sleeps in a loop, 3 calls deep': (stdout) => expect(stdout).toBe('25\n'),
  'pauses once, 8 calls deep': (stdout) => expect(stdout).toBe('9\n'),
  'computes without pausing': (stdout) => expect(stdout).toMatch(/^2044\s+2262\s/),
}

describe.each(programs.map((p) => p.name))('%s', (name) => {
  describe.each(Object.keys(reference))('%s', (script) => {
    const pauses = script !== 'computes without pausing'

    it('the original module prints the known result', () => {
      const original = node20[name]?.[script]?.original
      expect(original?.status).toBe(0)
      reference[script]?.(original?.stdout ?? '')
      expect(node26[name]?.[script]?.original).toEqual(original)
    })

    it('Node 20, Asyncify: the same output, with real pauses', () => {
      const run = node20[name]?.[script]
      expect(run?.asyncify?.error).toBeUndefined()
      expect(run?.asyncify?.mode).toBe('asyncify')
      expect(run?.asyncify?.stdout).toBe(run?.original?.stdout)
      expect(run?.asyncify?.status).toBe(0)
      if (pauses) expect(run?.asyncify?.pauses).toBeGreaterThan(0)
    })

    it.each(['asyncify', 'jspi'])('Node 26, %s: the same output, with real pauses', (kind) => {
      const run = node26[name]?.[script]
      expect(run?.[kind]?.error).toBeUndefined()
      expect(run?.[kind]?.mode).toBe(kind)
      expect(run?.[kind]?.stdout).toBe(run?.original?.stdout)
      expect(run?.[kind]?.status).toBe(0)
      if (pauses) expect(run?.[kind]?.pauses).toBeGreaterThan(0)
    })
  })
})

describe.each(programs.map((p) => p.name))('%s built from its committed profile', (name) => {
  it('instruments exactly the recorded functions, without warnings', () => {
    const counts = profiledCounts[name]!
    expect(counts.instrumented).toBe(counts.recorded)
    expect(counts.warnings).toEqual([])
  })

  it.each(Object.keys(reference))('%s: Node 20, Asyncify: the same output, with real pauses', (script) => {
    const run = profiled[name]?.[script]
    expect(run?.asyncify?.error).toBeUndefined()
    expect(run?.asyncify?.stdout).toBe(node20[name]?.[script]?.original?.stdout)
    expect(run?.asyncify?.status).toBe(0)
    if (script !== 'computes without pausing') expect(run?.asyncify?.pauses).toBeGreaterThan(0)
  })
})
