// Profile-guided instrumentation (issue 13), the runtime's part: record mode names the functions on the stack
// at each pause (Asyncify here; under Node 26 this file runs again with JSPI, see node26.test.ts), profiles
// merge and print the same way every time, and a build from a profile rejects a pause on a path it does not
// hold with ASYNCIFY_NOT_IN_PROFILE, never a wrong value, the instance staying usable.
import { execFile } from 'node:child_process'
import * as nodeFs from 'node:fs'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AsyncifyRuntimeError, instantiate, type PauseInfo } from '../src/index.ts'
import {
  type AsyncifyProfile,
  createRecorder,
  mergeProfile,
  parseProfile,
  serializeProfile,
  writeProfileSamples,
} from '../src/profile.ts'
import { buildWasm, FIXTURES, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, failOnUnhandledRejections, later, node26, RUNTIME_DIR } from './helpers/env.ts'

/** Runs `exe` and resolves to its stderr and exit status (children run at the same time). */
function run(exe: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(exe, args, { timeout: 60_000 }, (error, _stdout, stderr) =>
      resolve(`${stderr}${error?.code ?? 0}`),
    )
  })
}

const env = { sleep: (ms: number) => later(1, ms) }
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtime-profile-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

failOnUnhandledRejections()

/** A record-mode build of a fixture whose profile goes to `file`. */
function recordBuild(name: string, file: string): Promise<FixtureBuild> {
  return buildWasm(fixture(name), {
    asyncImports: ['env.sleep'],
    profile: 'record',
    profileFile: file,
    mode: 'development',
    filename: join(FIXTURES, name),
  })
}

/** What `direct(5)`, `indirect(1, 5)` and `indirect(0, 5)` leave on the stack at their pauses. */
const RECORDED = ['direct', 'direct_inner', 'direct_outer', 'dispatch', 'indirect', 'op_sleep']

describe('record mode', () => {
  let recording: FixtureBuild
  const file = () => join(dir, 'profile.asyncify-profile.json')
  beforeAll(async () => {
    recording = await recordBuild('profile.wasm', file())
  })

  it('names the wasm functions on the stack at each pause, direct and through a function pointer', async () => {
    const pauses: PauseInfo[] = []
    const record = createRecorder(recording.recorder!)
    const inst = await instantiate(
      { asyncify: recording.wasm, jspi: recording.jspiWasm },
      recording.meta,
      { env },
      {
        onPause: (pause) => {
          pauses.push(pause)
          record(pause)
        },
      },
    )
    expect(inst.mode).toBe(AUTO_MODE)
    const e = inst.exports
    await e._initialize()
    expect(await e.direct(5)).toBe(15)
    expect(await e.indirect(1, 5)).toBe(115)
    expect(await e.indirect(0, 5)).toBe(110) // no pause: nothing recorded
    expect(pauses.map((pause) => [pause.import, pause.mode])).toEqual([
      ['env.sleep', AUTO_MODE],
      ['env.sleep', AUTO_MODE],
    ])
    expect(pauses[0]!.module).toBe(inst.module)
    const profile = parseProfile(readFileSync(file(), 'utf8'))
    expect(profile.functions).toEqual(RECORDED)
    expect(profile.imports).toEqual(['env.sleep'])
    expect(profile.module).toEqual(recording.recorder!.module)
    expect(profile.module.names).toBe('input')
  })

  it('prints sorted names one per line, the same text on every run, and merges runs (a union)', async () => {
    const before = readFileSync(file(), 'utf8')
    expect(before).toBe(serializeProfile(parseProfile(before)))
    expect(before).toContain('"functions": [\n    "direct",\n    "direct_inner",\n')
    expect(before.endsWith('}\n')).toBe(true)
    // another run (another instance, a fresh recorder) over the same paths changes nothing
    const again = await instantiate(
      { asyncify: recording.wasm, jspi: recording.jspiWasm },
      recording.meta,
      { env },
      {
        onPause: createRecorder(recording.recorder!),
      },
    )
    await again.exports._initialize()
    expect(await again.exports.indirect(1, 2)).toBe(112)
    expect(readFileSync(file(), 'utf8')).toBe(before)
    // a run over another path adds it
    expect(await again.exports.unrecorded(2)).toBe(7)
    const merged = parseProfile(readFileSync(file(), 'utf8'))
    expect(merged.functions).toEqual([...RECORDED, 'unrecorded', 'unrecorded_inner'].sort())
  })

  it('a stripped module records Binaryen index names, which a profile build accepts', async () => {
    const strippedFile = join(dir, 'stripped.asyncify-profile.json')
    const stripped = await recordBuild('profile-wasm-opt.wasm', strippedFile)
    const inst = await instantiate(
      { asyncify: stripped.wasm, jspi: stripped.jspiWasm },
      stripped.meta,
      { env },
      {
        onPause: createRecorder(stripped.recorder!),
      },
    )
    await inst.exports._initialize()
    expect(await inst.exports.direct(5)).toBe(15)
    expect(await inst.exports.indirect(1, 5)).toBe(115)
    const profile = parseProfile(readFileSync(strippedFile, 'utf8'))
    expect(profile.module.names).toBe('index')
    expect(profile.functions.length).toBeGreaterThan(0)
    expect(profile.functions.every((name) => /^\d+$/.test(name))).toBe(true)

    const built = await buildWasm(fixture('profile-wasm-opt.wasm'), {
      asyncImports: ['env.sleep'],
      profileFile: strippedFile,
      filename: join(FIXTURES, 'profile-wasm-opt.wasm'),
    })
    expect(built.report.instrumented).toBe(profile.functions.length)
    const run = await instantiate({ asyncify: built.wasm, jspi: built.jspiWasm }, built.meta, { env })
    await run.exports._initialize()
    expect(await run.exports.direct(7)).toBe(19)
    expect(await run.exports.indirect(1, 7)).toBe(117)
  })
})

describe('a build from a profile', () => {
  let built: FixtureBuild
  const profileFile = () => join(dir, 'use.asyncify-profile.json')
  beforeAll(async () => {
    const profile: AsyncifyProfile = {
      asyncifyProfile: 1,
      functions: RECORDED,
      imports: ['env.sleep'],
      module: { sha256: 'recorded-elsewhere', functions: 13, names: 'input' },
    }
    writeFileSync(profileFile(), serializeProfile(profile))
    // production: no name section of its own, asserts only because of the profile
    built = await buildWasm(fixture('profile.wasm'), {
      asyncImports: ['env.sleep'],
      profileFile: profileFile(),
      filename: join(FIXTURES, 'profile.wasm'),
    })
  })

  it('instruments exactly the recorded functions and marks the recorded paths', () => {
    expect(built.report.instrumented).toBe(RECORDED.length)
    expect(built.meta.profile).toBe('use.asyncify-profile.json')
    const suspending = Object.fromEntries(built.meta.exports.map((entry) => [entry.name, entry.suspending]))
    expect(suspending).toMatchObject({ direct: true, indirect: true, unrecorded: false, sum: false })
  })

  it('runs the recorded paths; a pause elsewhere rejects with ASYNCIFY_NOT_IN_PROFILE naming the function', async () => {
    const inst = await instantiate({ asyncify: built.wasm, jspi: built.jspiWasm }, built.meta, { env })
    expect(inst.mode).toBe(AUTO_MODE)
    const e = inst.exports
    await e._initialize()
    expect(await e.direct(5)).toBe(15)
    expect(await e.indirect(1, 5)).toBe(115)
    expect(await e.sum(10)).toBe(110)
    const other = await e.indirect(2, 5).catch((error: unknown) => error)
    const unrecorded = await e.unrecorded(5).catch((error: unknown) => error)
    if (inst.mode === 'jspi') {
      // JSPI runs the original module: every path can pause
      expect([other, unrecorded]).toEqual([125, 16])
    } else {
      // through a function pointer to a function no recording saw: Binaryen's assert traps there
      expect((other as AsyncifyRuntimeError).code).toBe('ASYNCIFY_NOT_IN_PROFILE')
      expect((other as Error).message).toContain('function "op_other"')
      expect((other as Error).message).toContain('"use.asyncify-profile.json"')
      expect((other as Error).message).toContain("profile: 'record'")
      // an export no recording saw pause: refused before anything unwinds
      expect((unrecorded as AsyncifyRuntimeError).code).toBe('ASYNCIFY_NOT_IN_PROFILE')
      expect((unrecorded as Error).message).toContain('export "unrecorded"')
    }
    // the instance keeps working
    expect(await e.direct(6)).toBe(17)
    expect(await e.indirect(1, 6)).toBe(116)
    expect(await e.sum(3)).toBe(12)
  })

  it('pauses in the fast copies and resumes in the originals: one sleep per call, calls overlapping', async () => {
    // A pause starts in a fast copy (fast-clones.ts), which cannot rewind: the resume must go to the
    // original. Were it to go to the copy, the call would run again from its start (a second sleep); were the
    // copy's unwind check gone, the paused call would return a dummy value.
    let sleeps = 0
    const counted = {
      sleep: (ms: number) => {
        sleeps++
        return later(1 + (ms % 3), ms)
      },
    }
    const inst = await instantiate({ asyncify: built.wasm }, built.meta, { env: counted }, { jspi: 'off' })
    const e = inst.exports
    await e._initialize()
    const values = await Promise.all([
      ...[1, 2, 3, 4, 5].map((ms) => e.direct(ms)),
      ...[1, 2, 3].map((x) => e.indirect(1, x)),
    ])
    expect(values).toEqual([7, 9, 11, 13, 15, 111, 112, 113])
    expect(sleeps).toBe(8)
    expect(await e.sum(10)).toBe(110)
  })

  it('an import that no recording saw pause is refused with the same code', async () => {
    const inst = await instantiate(
      { asyncify: built.wasm, jspi: built.jspiWasm },
      { ...built.meta, imports: built.meta.imports.map((im) => ({ ...im, suspending: false })) },
      { env },
    )
    await inst.exports._initialize()
    const error = await inst.exports.direct(5).catch((e: unknown) => e)
    expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_NOT_IN_PROFILE')
    expect((error as Error).message).toContain('import "env.sleep"')
    expect(await inst.exports.sum(4)).toBe(20)
  })
})

describe('the profile file', () => {
  const module = { sha256: 'a', functions: 10, names: 'input' as const }

  it('merges as a union and drops names the module no longer has once it changed', () => {
    const first = mergeProfile(undefined, module, [{ import: 'env.sleep', functions: ['b', 'a', 'b'] }])
    expect(first).toEqual({ asyncifyProfile: 1, functions: ['a', 'b'], imports: ['env.sleep'], module })
    const same = mergeProfile(first, module, [{ import: 'env.read', functions: ['c'] }])
    expect(same.functions).toEqual(['a', 'b', 'c'])
    expect(same.imports).toEqual(['env.read', 'env.sleep'])
    const changed = { ...module, sha256: 'b' }
    expect(mergeProfile(same, changed, [], new Set(['a', 'c', 'x'])).functions).toEqual(['a', 'c'])
    // index names meant other functions in the old bytes
    expect(mergeProfile({ ...same, module: { ...module, names: 'index' } }, changed, []).functions).toEqual(
      [],
    )
  })

  it('sorts by code unit, whatever the locale', () => {
    const text = serializeProfile({
      ...mergeProfile(undefined, module, []),
      functions: ['b', 'B', '_a', 'a'],
    })
    expect(parseProfile(text).functions).toEqual(['B', '_a', 'a', 'b'])
  })

  it('rejects what is not a profile, saying why', () => {
    expect(() => parseProfile('<<<<<<< HEAD')).toThrow(/not JSON/)
    expect(() => parseProfile('{}')).toThrow(/asyncifyProfile/)
    expect(() => parseProfile('{"asyncifyProfile":2}')).toThrow(/version 2/)
    expect(() => parseProfile('{"asyncifyProfile":1,"functions":[1],"imports":[]}')).toThrow(/functions/)
  })

  it('processes recording at once keep every name (the write runs under a lock)', async () => {
    const file = join(dir, 'race.asyncify-profile.json')
    const source = join(RUNTIME_DIR, 'src/profile-format.ts')
    // Node 26 runs the TypeScript source as it is; each child writes 20 samples of its own
    const child = (id: number) =>
      run(node26(), [
        '--input-type=module',
        '-e',
        `import * as fs from 'node:fs'
         import { writeProfileSamples } from ${JSON.stringify(source)}
         for (let i = 0; i < 20; i++)
           writeProfileSamples(fs, ${JSON.stringify(file)}, ${JSON.stringify(module)},
             [{ import: 'env.p${id}', functions: ['p${id}_' + i] }])`,
      ])
    expect(await Promise.all([0, 1, 2, 3].map(child))).toEqual(['0', '0', '0', '0'])
    const profile = parseProfile(readFileSync(file, 'utf8'))
    expect(profile.functions).toHaveLength(80)
    expect(profile.imports).toEqual(['env.p0', 'env.p1', 'env.p2', 'env.p3'])
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('a lock left behind by a writer that crashed is taken over', () => {
    const file = join(dir, 'stale.asyncify-profile.json')
    mkdirSync(`${file}.lock`)
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${file}.lock`, old, old)
    writeProfileSamples(nodeFs, file, module, [{ import: 'env.a', functions: ['a'] }])
    expect(parseProfile(readFileSync(file, 'utf8')).functions).toEqual(['a'])
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('never overwrites a file that is not a profile', () => {
    const file = join(dir, 'conflict.asyncify-profile.json')
    const conflict = '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n'
    writeFileSync(file, conflict)
    expect(() => writeProfileSamples(nodeFs, file, module, [{ import: 'env.a', functions: [] }])).toThrow(
      /not JSON/,
    )
    expect(readFileSync(file, 'utf8')).toBe(conflict)
  })
})
