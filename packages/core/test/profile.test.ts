// Profile-guided instrumentation, the build side (issue 13): which file a build reads, what it instruments
// from it, what it warns about, the names it keeps for the safety net, and the report's pointer to it.
// Running the outputs (recording, the coded error) is in packages/runtime/test/profile.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AsyncifyProfile, functionNames, serializeProfile } from '@unplugin-asyncify/runtime/profile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyError, asyncify, formatReport, profilePath, resolveOptions } from '../src/index.ts'
import { fixture } from './helpers/fixtures.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'core-profile-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What recording `direct(5)` and `indirect(1, 5)` of profile.wasm gives. */
const RECORDED = ['direct', 'direct_inner', 'direct_outer', 'dispatch', 'indirect', 'op_sleep']

function writeProfile(name: string, profile: Partial<AsyncifyProfile>): string {
  const file = join(dir, name)
  writeFileSync(
    file,
    serializeProfile({
      asyncifyProfile: 1,
      functions: RECORDED,
      imports: ['env.sleep'],
      module: { sha256: 'x', functions: 13, names: 'input' },
      ...profile,
    }),
  )
  return file
}

/** profile.wasm built with `options`, its profile (if any) at `profileFile`. */
function build(options: Parameters<typeof asyncify>[1], mode: 'development' | 'production' = 'production') {
  return asyncify(
    fixture('profile.wasm'),
    { cacheDir: false, jspi: 'off', ...options },
    {
      root: dir,
      filename: join(dir, 'profile.wasm'),
      mode,
    },
  )
}

describe('the profile options', () => {
  it("records only in development ('record'); production builds use the file", async () => {
    const resolve = (profile: boolean | 'record' | undefined, mode: 'development' | 'production') =>
      resolveOptions({ profile }, { root: dir, mode }).then((resolved) => resolved.profile)
    expect(await resolve('record', 'development')).toBe('record')
    expect(await resolve('record', 'production')).toBe('auto')
    expect(await resolve(undefined, 'development')).toBe('auto')
    expect(await resolve(true, 'production')).toBe('use')
    expect(await resolve(false, 'development')).toBe('off')
    await expect(resolveOptions({ profile: 'yes' as never })).rejects.toMatchObject({
      code: 'ASYNCIFY_INVALID_OPTION',
    })
    await expect(resolveOptions({ profileFile: '' })).rejects.toMatchObject({
      code: 'ASYNCIFY_INVALID_OPTION',
    })
  })

  it('finds the file next to the wasm, or where profileFile says ([name] is the wasm name)', () => {
    expect(profilePath('/p/src/game.wasm', undefined, '/p')).toBe('/p/src/game.asyncify-profile.json')
    expect(profilePath('src/game.wasm?asyncify', undefined, '/p')).toBe('/p/src/game.asyncify-profile.json')
    expect(profilePath('/p/src/game.wasm', 'profiles/[name].json', '/p')).toBe('/p/profiles/game.json')
    expect(profilePath(undefined, 'one.json', '/p')).toBe('/p/one.json')
    expect(profilePath(undefined, undefined, '/p')).toBeUndefined()
  })
})

describe('a build from a profile', () => {
  it('instruments exactly the recorded functions, keeps asserts on and function names for the safety net', async () => {
    const profileFile = writeProfile('exact.json', {})
    const result = await build({ asyncImports: ['env.sleep'], profileFile })
    expect(result.report.instrumented).toBe(RECORDED.length)
    expect(result.report.profile).toEqual({ file: 'exact.json', mode: 'use' })
    expect(result.report.warnings).toEqual([])
    expect(result.meta.profile).toBe('exact.json')
    expect(formatReport(result.report)).toMatch(/6\/13 functions instrumented \(profile exact\.json\), /)
    // production drops the input's name section; the build writes one with function names only (-O2 inlined
    // the small direct_* functions after the pass)
    const names = [...functionNames(new WebAssembly.Module(result.wasm)).values()]
    expect(names).toEqual(
      expect.arrayContaining(['direct', 'indirect', 'dispatch$fast', 'op_sleep', 'op_other']),
    )
    expect(WebAssembly.Module.customSections(new WebAssembly.Module(result.wasm), 'name')).toHaveLength(1)
    // the asserts trap in functions that are not instrumented: the text has an unreachable after their calls
    const without = await build({ asyncImports: ['env.sleep'], profileFile, asserts: false })
    expect(result.wasm.length).toBeGreaterThan(without.wasm.length)
    // keepNames: false is honoured: only wasm-function[N] in messages then
    const nameless = await build({ asyncImports: ['env.sleep'], profileFile, keepNames: false })
    expect(WebAssembly.Module.customSections(new WebAssembly.Module(nameless.wasm), 'name')).toEqual([])
  })

  it('gives each instrumented function a fast copy, which the normal state calls and which saves per call site', async () => {
    const profileFile = writeProfile('fast.json', {})
    // -O0 and all names: the functions as the build made them, before any inlining
    const result = await build({
      asyncImports: ['env.sleep'],
      profileFile,
      optimizeLevel: 0,
      keepNames: true,
    })
    const { default: binaryen } = await import('binaryen')
    const mod = binaryen.readBinary(result.wasm)
    try {
      const text = (name: string) => binaryen.emitText(binaryen.getFunctionInfo(mod.getFunction(name)).body)
      // the state global is what asyncify_get_state returns (the emitted binary names no globals)
      const state = /global\.get (\$\S+?)\)/
        .exec(text(binaryen.getExportInfo(mod.getExport('asyncify_get_state')).value))![1]!
        .replaceAll('$', '\\$')
      const stateReads = (body: string) =>
        body.match(new RegExp(`\\(global\\.get ${state}\\)`, 'g'))?.length ?? 0
      const unwindTests = (body: string) =>
        body.match(
          new RegExp(`\\(i32\\.eq\\s*\\(global\\.get ${state}\\)\\s*\\(i32\\.const 1\\)\\s*\\)`, 'g'),
        )?.length ?? 0
      for (const name of RECORDED) {
        const original = text(name)
        const fast = text(`${name}$fast`)
        // the copy keeps only the "is unwinding" tests; the original also has the rewind ones
        expect(unwindTests(fast), name).toBeGreaterThan(0)
        expect(stateReads(fast), name).toBe(unwindTests(fast))
        expect(stateReads(original), name).toBeGreaterThan(stateReads(fast))
        // each unwind exit saves its own locals, out of line (site-saves.ts): one helper call per exit
        const helpers = fast.match(new RegExp(`call \\$${name}\\$fast\\$unwind\\d+`, 'g')) ?? []
        expect(helpers.length, name).toBe(unwindTests(fast))
        for (const call of helpers) expect(mod.getFunction(call.slice('call $'.length)), call).toBeTruthy()
      }
      // an uninstrumented caller runs in the normal state: it calls the copy only
      expect(text('sum')).toContain('call $dispatch$fast')
      expect(text('sum')).not.toMatch(/call \$dispatch\b(?!\$)/)
      // an instrumented one picks by the state: the original while rewinding, the copy otherwise
      expect(text('direct')).toContain('call $direct_outer$fast')
      expect(text('direct')).toMatch(/call \$direct_outer\b(?!\$)/)
      // copies call copies
      expect(text('direct_outer$fast')).toContain('call $direct_inner$fast')
    } finally {
      mod.dispose()
    }
    // builds without a profile make no copies
    const full = await build({
      asyncImports: ['env.sleep'],
      profile: false,
      optimizeLevel: 0,
      keepNames: true,
    })
    const fullNames = [...functionNames(new WebAssembly.Module(full.wasm)).values()]
    expect(fullNames.filter((name) => name.endsWith('$fast'))).toEqual([])
  })

  it('takes its async imports from the recording, plus the ones the options list', async () => {
    const profileFile = writeProfile('imports.json', {})
    const recorded = await build({ profileFile })
    const suspending = (r: typeof recorded) =>
      r.meta.imports.filter((entry) => entry.suspending).map((entry) => `${entry.module}.${entry.name}`)
    expect(suspending(recorded)).toEqual(['env.sleep'])
    const none = await build({ profileFile: writeProfile('no-imports.json', { imports: [] }) })
    expect(suspending(none)).toEqual([])
    const listed = await build({
      profileFile: writeProfile('listed.json', { imports: [] }),
      asyncImports: ['env.*'],
    })
    expect(suspending(listed)).toEqual(['env.sleep'])
  })

  it('adds addList and onlyList entries to the recorded functions and takes removeList matches out', async () => {
    const profileFile = writeProfile('lists.json', {})
    const added = await build({ asyncImports: ['env.sleep'], profileFile, addList: ['op_other'] })
    expect(added.report.instrumented).toBe(RECORDED.length + 1)
    const removed = await build({ asyncImports: ['env.sleep'], profileFile, removeList: ['direct*'] })
    expect(removed.report.instrumented).toBe(RECORDED.length - 3)
  })

  it('warns when recorded functions are gone (renamed or removed), and builds without them', async () => {
    const profileFile = writeProfile('stale.json', { functions: [...RECORDED, 'gone_a', 'gone_b'] })
    const result = await build({ asyncImports: ['env.sleep'], profileFile })
    expect(result.report.instrumented).toBe(RECORDED.length)
    expect(result.report.warnings).toHaveLength(1)
    expect(result.report.warnings[0]).toMatch(
      /^profile "stale\.json" is stale: 2 recorded functions are not in the module \(renamed or removed: "gone_a", "gone_b"\); record it again/,
    )
    // Binaryen's own warning per name is not repeated
    expect(result.report.binaryenOutput ?? '').not.toMatch(/gone_a/)
  })

  it('warns when a profile of a module without names was recorded for other bytes', async () => {
    const stripped = asyncify(
      fixture('profile-wasm-opt.wasm'),
      {
        cacheDir: false,
        jspi: 'off',
        asyncImports: ['env.sleep'],
        profileFile: writeProfile('index.json', {
          functions: ['1', '2'],
          module: { sha256: 'other', functions: 9, names: 'index' },
        }),
      },
      { root: dir, filename: join(dir, 'profile-wasm-opt.wasm') },
    )
    const result = await stripped
    expect(result.report.instrumented).toBe(2)
    expect(result.report.warnings.join('\n')).toMatch(
      /recorded for other bytes of this module, whose functions have no names/,
    )
  })

  it('a file that is not a profile fails the build with ASYNCIFY_PROFILE_INVALID naming it', async () => {
    const profileFile = join(dir, 'conflict.json')
    writeFileSync(profileFile, '<<<<<<< HEAD\n')
    const error = await build({ profileFile }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AsyncifyError)
    expect((error as AsyncifyError).code).toBe('ASYNCIFY_PROFILE_INVALID')
    expect((error as Error).message).toMatch(/the profile "conflict\.json" cannot be read: it is not JSON/)
  })

  it('profile: true without the file warns and builds everything; false ignores the file', async () => {
    const missing = await build({ asyncImports: ['env.sleep'], profile: true, profileFile: 'missing.json' })
    expect(missing.report.warnings).toEqual([
      'profile: true, but "missing.json" does not exist; building with full instrumentation. Record one with profile: \'record\'',
    ])
    expect(missing.report.instrumented).toBe(10)
    const off = await build({
      asyncImports: ['env.sleep'],
      profile: false,
      profileFile: writeProfile('off.json', {}),
    })
    expect(off.report.instrumented).toBe(10)
    expect(off.meta.profile).toBeUndefined()
  })
})

describe('record mode', () => {
  it('builds everything, names the functions even of a stripped module, and tells the glue where to write', async () => {
    const result = await build({ asyncImports: ['env.sleep'], profile: 'record' }, 'development')
    expect(result.report.instrumented).toBe(10)
    expect(result.recorder).toEqual({
      file: join(dir, 'profile.asyncify-profile.json'),
      module: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), functions: 13, names: 'input' },
    })
    expect(formatReport(result.report)).toMatch(/\(recording the profile profile\.asyncify-profile\.json\)/)
    // no inlining in a recording build, whatever the level: every function must show in the stack traces
    const o2 = await build(
      { asyncImports: ['env.sleep'], profile: 'record', optimizeLevel: 2 },
      'development',
    )
    const names = [...functionNames(new WebAssembly.Module(o2.wasm)).values()]
    expect(names).toEqual(expect.arrayContaining(['direct_inner', 'direct_outer', 'direct']))
    const stripped = await asyncify(
      fixture('profile-wasm-opt.wasm'),
      { cacheDir: false, jspi: 'auto', asyncImports: ['env.sleep'], profile: 'record' },
      { root: dir, filename: join(dir, 'profile-wasm-opt.wasm'), mode: 'development' },
    )
    expect(stripped.recorder?.module.names).toBe('index')
    for (const bytes of [stripped.wasm, stripped.jspiWasm!]) {
      const names = [...functionNames(new WebAssembly.Module(bytes)).values()]
      expect(names.filter((name) => /^\d+$/.test(name)).length).toBe(stripped.report.totalFunctions)
    }
  })
})

describe('the report without a profile', () => {
  it('names what makes functions instrumented, and suggests a profile above 30%', async () => {
    const result = await build({ asyncImports: ['env.sleep'], profile: false })
    expect(result.report.causes).toEqual([
      { cause: 'env.sleep', functions: 7 },
      { cause: 'indirect calls', functions: 3 },
    ])
    expect(formatReport(result.report).split('\n')[1]).toBe(
      "  hint: 77% of functions instrumented, reached from env.sleep (7), indirect calls (3); record a profile to instrument only what pauses: profile: 'record' (docs/performance.md)",
    )
    // below the share, no hint
    expect(formatReport({ ...result.report, instrumented: 3 }).split('\n')).toHaveLength(1)
  })
})

describe('lists on a module without names', () => {
  it('accept Binaryen index names ("3": the fourth defined function)', async () => {
    const result = await asyncify(
      fixture('profile-wasm-opt.wasm'),
      { cacheDir: false, jspi: 'off', asyncImports: ['env.sleep'], onlyList: ['1', '2'] },
      { root: dir },
    )
    expect(result.report.instrumented).toBe(2)
    await expect(
      asyncify(
        fixture('profile-wasm-opt.wasm'),
        { cacheDir: false, onlyList: ['1', 'direct'] },
        { root: dir },
      ),
    ).rejects.toMatchObject({ code: 'ASYNCIFY_NO_NAME_SECTION', message: /such as "direct"/ })
  })
})
