// What `pnpm publish` would upload, checked from the tarballs themselves, and the CLI as a user reaches it:
// `npx -p unplugin-asyncify wasm-asyncify` in a project that installed the tarball with npm.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { copyFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { WASM_FIXTURES } from '../bundlers/utils.ts'
import { createProject, failure, type Project } from './project.ts'

const ROOT = join(import.meta.dirname, '../..')

function tarEntries(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
}

function packedJson(tarball: string): Record<string, any> {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }))
}

describe.each([
  '@unplugin-asyncify/runtime',
  '@unplugin-asyncify/wasi',
  '@unplugin-asyncify/core',
  'unplugin-asyncify',
])('%s tarball', (name) => {
  const tarball = () => inject('tarballs')[name]!

  it('holds README, LICENSE, package.json and dist only', async () => {
    const entries = tarEntries(tarball())
    expect(entries).toContain('package/README.md')
    expect(entries).toContain('package/LICENSE')
    expect(entries.filter((entry) => /^package\/(src|test)\//.test(entry))).toEqual([])
    const license = execFileSync('tar', ['-xzOf', tarball(), 'package/LICENSE'], { encoding: 'utf8' })
    expect(license).toBe(await readFile(join(ROOT, 'LICENSE'), 'utf8'))
  })

  it('has the metadata a registry page and npm need', () => {
    const pkg = packedJson(tarball())
    expect(pkg.license).toBe('MIT')
    expect(pkg.repository).toMatchObject({ type: 'git', directory: expect.stringMatching(/^packages\//) })
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/.+\.git$/)
    expect(pkg.homepage).toMatch(/^https:\/\//)
    expect(pkg.bugs.url).toMatch(/^https:\/\/.+\/issues$/)
    expect(pkg.keywords.length).toBeGreaterThan(3)
    // pnpm drops publish-only scripts from the packed manifest: the source must build before publishing.
    const dir = name === 'unplugin-asyncify' ? name : name.split('/')[1]!
    const source = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8'))
    expect(source.scripts.prepublishOnly).toBe('tsdown')
    if (name.startsWith('@')) expect(pkg.publishConfig).toEqual({ access: 'public' })
    // workspace:* became the exact version of the sibling package.
    for (const [dependency, range] of Object.entries<string>(pkg.dependencies ?? {})) {
      if (dependency.startsWith('@unplugin-asyncify/')) expect(range).toBe(pkg.version)
    }
  })
})

describe('unplugin-asyncify package.json', () => {
  it('shares unplugin with other plugins (a caret range) and declares every bundler as an optional peer', () => {
    const pkg = packedJson(inject('tarballs')['unplugin-asyncify']!)
    expect(pkg.dependencies.unplugin).toMatch(/^\^3\./)
    const peers = Object.keys(pkg.peerDependencies).sort()
    expect(peers).toEqual(['@rspack/core', 'esbuild', 'rolldown', 'rollup', 'vite', 'webpack'])
    for (const peer of peers) expect(pkg.peerDependenciesMeta[peer]).toEqual({ optional: true })
    expect(pkg.bin).toEqual({ 'wasm-asyncify': './dist/cli.mjs' })
  })
})

describe('wasm-asyncify from the installed package', () => {
  let project: Project
  const npx = (...args: string[]) => project.run('npx', ['-p', 'unplugin-asyncify', 'wasm-asyncify', ...args])

  beforeAll(async () => {
    project = await createProject({ name: 'cli' })
    await copyFile(join(WASM_FIXTURES, 'compute.wasm'), join(project.dir, 'game.wasm'))
  })

  it('prints its version', async () => {
    const { version } = packedJson(inject('tarballs')['unplugin-asyncify']!)
    expect((await npx('--version')).stdout).toBe(`wasm-asyncify ${version} (binaryen 132.0.0)\n`)
  })

  it('transforms a wasm file', async () => {
    const { stdout } = await npx('game.wasm', '-o', 'game.async.wasm', '--imports', 'env.sleep', '-O1')
    expect(stdout).toMatch(/^game\.wasm .* -> .*functions instrumented/)
    const bytes = await readFile(join(project.dir, 'game.async.wasm'))
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((entry) => entry.name)
    expect(exports).toContain('asyncify_start_unwind')
  })

  it('refuses -o equal to the input, and names a missing output folder', async () => {
    const same = await failure(npx('game.wasm', '-o', './game.wasm'))
    expect(same.code).toBe(1)
    expect(same.stderr).toContain('-o "game.wasm" is the input file, which would be overwritten')
    const folder = await failure(npx('game.wasm', '-o', 'out/game.wasm'))
    expect(folder.stderr).toContain('the folder "out" does not exist. Create it first (mkdir -p "out")')
    expect(await readFile(join(project.dir, 'game.wasm'))).toEqual(
      await readFile(join(WASM_FIXTURES, 'compute.wasm')),
    )
  })
})
