import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, linkSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { CORE_DIR, fixturePath } from './helpers/fixtures.ts'

// The built CLI (dist/cli.mjs), run by Node as users run it.
const CLI = join(CORE_DIR, 'dist/cli.mjs')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'asyncify-cli-'))
})

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('wasm-asyncify CLI', () => {
  it('is an executable node script', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('writes the output and prints the report', async () => {
    const result = await cli([
      fixturePath('compute.wasm'),
      '-o',
      'out.wasm',
      '--imports',
      'env.sleep,env.get_*',
      '-O1',
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^\S*compute\.wasm \d+\.\d kB -> \d+\.\d kB, \d+\/\d+ functions instrumented, .+ \(cache off\)(, DWARF removed \(.+\))?\n$/,
    )
    const output = readFileSync(join(dir, 'out.wasm'))
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(output)).map((e) => e.name)
    expect(exports).toContain('asyncify_start_unwind')
    expect(existsSync(join(dir, 'out.jspi.wasm'))).toBe(false)
  })

  it('--json prints the report and the meta; --jspi auto also writes the JSPI binary', async () => {
    const result = await cli([
      fixturePath('no-memory.wasm'),
      '-o',
      'json.wasm',
      '--json',
      '--jspi',
      'auto',
      '--stack-size',
      '4096',
      '--asserts',
      '--ignore-indirect',
    ])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json.output).toBe(join(dir, 'json.wasm'))
    expect(json.jspiOutput).toBe(join(dir, 'json.jspi.wasm'))
    expect(json.meta.buffer).toEqual({ top: {}, stackSize: 4096 })
    expect(json.meta.exports).toEqual([
      { name: 'twice', kind: 'function', sig: { params: ['i32'], results: ['i32'] }, suspending: true },
    ])
    expect(json.report.suggestedAsyncImports).toEqual(['env.sleep'])
    expect(readFileSync(join(dir, 'json.jspi.wasm')).length).toBe(json.report.jspiBytes)
  })

  it('bad input: exit 1, one line naming file, cause and fix, and no output file', async () => {
    const result = await cli([fixturePath('truncated.wasm'), '-o', 'bad.wasm'])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^\[unplugin-asyncify\] Failed to asyncify "[^"]*truncated\.wasm": .*truncated.*\. Rebuild/,
    )
    expect(readdirSync(dir).filter((name) => name.startsWith('bad'))).toEqual([])
  })

  it('a file that does not exist, and bad options, also fail with one line', async () => {
    const missing = await cli(['nope.wasm', '-o', 'x.wasm'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(
      /^\[unplugin-asyncify\] Failed to asyncify "nope\.wasm": cannot read it \(ENOENT\)\. Check the path\n$/,
    )

    const badImports = await cli([fixturePath('no-memory.wasm'), '-o', 'x.wasm', '--imports', 'sleep'])
    expect(badImports.code).toBe(1)
    expect(badImports.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(badImports.stderr).toMatch(/asyncImports entry "sleep" is not of the form module\.name/)

    const noOutput = await cli([fixturePath('no-memory.wasm')])
    expect(noOutput.code).toBe(1)
    expect(noOutput.stderr).toBe(
      '[unplugin-asyncify] missing -o <out.wasm>. Run wasm-asyncify --help for usage\n',
    )

    const unknownFlag = await cli([fixturePath('no-memory.wasm'), '-o', 'x.wasm', '--fast'])
    expect(unknownFlag.code).toBe(1)
    expect(unknownFlag.stderr).toMatch(/^\[unplugin-asyncify\] Unknown option '--fast'.*--help for usage\n$/)
    expect(existsSync(join(dir, 'x.wasm'))).toBe(false)
  })

  it('refuses -o naming the input, before transforming, and leaves the input as it was', async () => {
    const input = join(dir, 'self.wasm')
    copyFileSync(fixturePath('no-memory.wasm'), input)
    const before = readFileSync(input)
    for (const output of ['self.wasm', './sub/../self.wasm', input]) {
      const result = await cli(['self.wasm', '-o', output])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(
        '[unplugin-asyncify] Failed to asyncify "self.wasm": -o "self.wasm" is the input file, which would be ' +
          'overwritten. Write to another file, e.g. -o game.async.wasm\n',
      )
    }
    // A hard link is the same file under another name.
    linkSync(input, join(dir, 'alias.wasm'))
    expect((await cli(['self.wasm', '-o', 'alias.wasm'])).stderr).toMatch(
      /-o "alias\.wasm" is the input file/,
    )
    expect(readFileSync(input)).toEqual(before)
  })

  it('reports a missing output folder with the folder and the fix, and writes nothing', async () => {
    const result = await cli([fixturePath('no-memory.wasm'), '-o', 'missing/dir/out.wasm'])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `[unplugin-asyncify] Failed to asyncify "${fixturePath('no-memory.wasm')}": cannot write ` +
        '"missing/dir/out.wasm": the folder "missing/dir" does not exist. Create it first (mkdir -p "missing/dir") ' +
        'or choose another -o\n',
    )
    expect(existsSync(join(dir, 'missing'))).toBe(false)
  })

  it('--version prints the package and Binaryen versions', async () => {
    const result = await cli(['--version'])
    const version = JSON.parse(readFileSync(join(CORE_DIR, 'package.json'), 'utf8')).version
    expect(result).toEqual({ code: 0, stdout: `wasm-asyncify ${version} (binaryen 132.0.0)\n`, stderr: '' })
    expect((await cli(['-v'])).stdout).toBe(result.stdout)
  })

  it('--help prints usage', async () => {
    const result = await cli(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: wasm-asyncify <in\.wasm> -o <out\.wasm>/)
  })

  it('--profile builds from a recorded profile; off ignores the one next to the input', async () => {
    const profile = join(dir, 'recorded.json')
    const functions = ['direct', 'direct_inner', 'direct_outer', 'dispatch', 'indirect', 'op_sleep']
    const text = {
      asyncifyProfile: 1,
      functions,
      imports: ['env.sleep'],
      module: { functions: 13, names: 'input', sha256: 'x' },
    }
    writeFileSync(profile, `${JSON.stringify(text, null, 2)}\n`)
    const used = await cli([fixturePath('profile.wasm'), '-o', 'p.wasm', '--json', '--profile', profile])
    expect(used.code).toBe(0)
    const json = JSON.parse(used.stdout)
    expect(json.report.instrumented).toBe(functions.length)
    expect(json.report.profile).toEqual({ file: 'recorded.json', mode: 'use' })
    expect(json.meta.profile).toBe('recorded.json')
    // next to the input it is used without the flag, and not with --profile off
    copyFileSync(fixturePath('profile.wasm'), join(dir, 'copy.wasm'))
    copyFileSync(profile, join(dir, 'copy.asyncify-profile.json'))
    const found = await cli(['copy.wasm', '-o', 'q.wasm', '--json'])
    expect(JSON.parse(found.stdout).report.profile).toEqual({
      file: 'copy.asyncify-profile.json',
      mode: 'use',
    })
    const off = await cli(['copy.wasm', '-o', 'q.wasm', '--json', '--profile', 'off'])
    expect(JSON.parse(off.stdout).report.profile).toBeUndefined()
    expect(JSON.parse(off.stdout).report.instrumented).toBeGreaterThan(functions.length)
  })

  it('--cache-dir reuses results', async () => {
    const args = [fixturePath('no-memory.wasm'), '-o', 'cached.wasm', '--cache-dir', 'cache']
    expect((await cli(args)).stdout).toMatch(/\(cache miss\)/)
    expect((await cli(args)).stdout).toMatch(/\(cache hit\)/)
  })
})
