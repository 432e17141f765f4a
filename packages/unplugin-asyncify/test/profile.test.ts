// Profile-guided instrumentation in the plugin: record-mode glue, builds that follow the profile file (its
// content is part of what a rebuild depends on), and the dev server's sink for what browser pages recorded.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolvePluginOptions } from '../src/plugin/options.ts'
import { profilePath } from '../src/plugin/paths.ts'
import { type Logger, WasmProcessor } from '../src/plugin/processor.ts'

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/wasm/profile.wasm')
const ROOT = join(import.meta.dirname, '.tmp/profile')
const WASM = join(ROOT, 'src/game.wasm')
const PROFILE = join(ROOT, 'src/game.asyncify-profile.json')
const inline = async () => ({ kind: 'inline' as const, base64: '' })

function processor(mode: 'development' | 'production', logged: string[] = []): WasmProcessor {
  const logger: Logger = {
    info: (message) => logged.push(`info: ${message}`),
    warn: (message) => logged.push(`warn: ${message}`),
  }
  return new WasmProcessor(
    resolvePluginOptions({
      asyncImports: ['env.sleep'],
      optimizeLevel: 1,
      jspi: 'off',
      profile: 'record',
      cacheDir: join(tmpdir(), 'unplugin-asyncify-plugin-profile-tests'),
    }),
    { root: ROOT, mode, logger },
  )
}

function profile(functions: string[]): string {
  const text = {
    asyncifyProfile: 1,
    functions,
    imports: ['env.sleep'],
    module: { functions: 13, names: 'input', sha256: 'x' },
  }
  return `${JSON.stringify(text, null, 2)}\n`
}

beforeAll(async () => {
  await rm(ROOT, { recursive: true, force: true })
  await mkdir(join(ROOT, 'src'), { recursive: true })
  await copyFile(FIXTURE, WASM)
})
afterAll(() => rm(ROOT, { recursive: true, force: true }))

describe("profile: 'record'", () => {
  it('development: the glue carries the recorder, with import.meta.hot only for dev server pages', async () => {
    const wasm = processor('development')
    const node = await wasm.glue(WASM, 'exports', inline)
    expect(node).toContain(
      `import { createRecorder as __asyncify_createRecorder } from ${JSON.stringify(profilePath())}`,
    )
    expect(node).toContain(`"file":${JSON.stringify(PROFILE)}`)
    expect(node).toContain('{ onPause: __asyncify_record }')
    expect(node).not.toContain('import.meta.hot')
    const page = await wasm.glue(WASM, 'init', inline, undefined, true)
    expect(page).toContain(', import.meta.hot)')
    expect(page).toContain('onPause: __asyncify_onPause(options)')
  })

  it('production: builds from the file, and again when the file changes', async () => {
    const logged: string[] = []
    const wasm = processor('production', logged)
    await writeFile(PROFILE, profile(['direct', 'direct_inner', 'direct_outer']))
    const first = await wasm.glue(WASM, 'exports', inline)
    expect(first).not.toContain('createRecorder')
    expect(first).toContain('"profile":"game.asyncify-profile.json"')
    await wasm.glue(WASM, 'init', inline) // the same content: no second transform
    await writeFile(
      PROFILE,
      profile(['direct', 'direct_inner', 'direct_outer', 'indirect', 'dispatch', 'op_sleep']),
    )
    await wasm.glue(WASM, 'exports', inline)
    const lines = logged.filter((line) => /functions instrumented/.test(line))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/ 3\/13 functions instrumented \(profile src\/game\.asyncify-profile\.json\)/)
    expect(lines[1]).toMatch(/ 6\/13 functions instrumented \(profile src\/game\.asyncify-profile\.json\)/)
  })
})

describe('the dev server sink', () => {
  it('writes what a page recorded into the profile file the build named, and nothing else', async () => {
    await rm(PROFILE, { force: true })
    const logged: string[] = []
    const wasm = processor('development', logged)
    await wasm.glue(WASM, 'exports', inline, undefined, true)
    wasm.profiles.receive({
      file: PROFILE,
      samples: [{ import: 'env.sleep', functions: ['direct_inner', 'direct'] }],
    })
    const written = JSON.parse(await readFile(PROFILE, 'utf8'))
    expect(written.functions).toEqual(['direct', 'direct_inner'])
    expect(written.imports).toEqual(['env.sleep'])
    expect(written.module.names).toBe('input')
    expect(logged).toContain(
      'info: profile: recorded a pause in env.sleep into src/game.asyncify-profile.json',
    )

    // a file no build set up for recording, or a message the recorder never sends, is refused
    const elsewhere = join(ROOT, 'elsewhere.json')
    wasm.profiles.receive({ file: elsewhere, samples: [] })
    wasm.profiles.receive({ file: PROFILE, samples: [{ import: 'env.sleep', functions: [42] }] })
    wasm.profiles.receive('not a message')
    await expect(readFile(elsewhere)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(JSON.parse(await readFile(PROFILE, 'utf8')).functions).toEqual(['direct', 'direct_inner'])
    expect(logged.filter((line) => line.startsWith('warn: ignored a profile message'))).toHaveLength(3)
  })
})
