import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { WasmMeta } from '@unplugin-asyncify/core'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  aliasPrefixes,
  DEFAULT_PREFIXES,
  DtsFile,
  defaultDtsPath,
  uniqueSuffix,
} from '../src/plugin/dts-file.ts'

const ROOT = join(import.meta.dirname, '.tmp/dts-file')
const OUT = join(ROOT, 'asyncify-wasm.d.ts')

const meta = (exportName: string): WasmMeta => ({
  version: 2,
  imports: [],
  exports: [
    { name: exportName, kind: 'function', sig: { params: ['i32'], results: ['i32'] }, suspending: true },
  ],
  memory: { origin: 'internal', is64: false, shared: false, initial: 1 },
  buffer: { stackSize: 65536, top: {} },
  maxPausedCalls: 256,
  inWasmRuntime: false,
  jspi: 'auto',
})

beforeEach(async () => {
  await rm(ROOT, { recursive: true, force: true })
  await mkdir(join(ROOT, 'src/levels'), { recursive: true })
  for (const file of ['src/game.wasm', 'src/levels/game.wasm', 'src/physics.wasm'])
    await writeFile(join(ROOT, file), '')
})

describe('DtsFile', () => {
  it('writes one block per file and qualifies names that collide', async () => {
    const dts = new DtsFile(OUT, ROOT)
    await dts.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    await dts.update(join(ROOT, 'src/levels/game.wasm'), meta('level'), [])
    await dts.update(join(ROOT, 'src/physics.wasm'), meta('step'), [])
    const text = await readFile(OUT, 'utf8')
    // The signatures once, under an exact name per file...
    expect(text).toContain(
      'declare module "unplugin-asyncify:src/game.wasm?asyncify" {\n  export function main(',
    )
    expect(text).toContain(
      'declare module "unplugin-asyncify:src/levels/game.wasm?asyncify" {\n  export function level(',
    )
    // ...and a pattern per import prefix that re-exports them; colliding names are qualified.
    expect(text).toContain(
      'declare module ".*/src/game.wasm?asyncify" {\n  export * from "unplugin-asyncify:src/game.wasm?asyncify"\n}',
    )
    expect(text).toContain(
      'declare module "@*/levels/game.wasm?asyncify&init" {\n' +
        '  export * from "unplugin-asyncify:src/levels/game.wasm?asyncify&init"\n' +
        '  export { default } from "unplugin-asyncify:src/levels/game.wasm?asyncify&init"\n}',
    )
    for (const prefix of DEFAULT_PREFIXES) {
      expect(text).toContain(`declare module "${prefix}*/physics.wasm?asyncify" {`)
    }
  })

  it('declares the prefixes of the host aliases too', async () => {
    const dts = new DtsFile(OUT, ROOT)
    dts.prefixes = aliasPrefixes([
      { find: '$lib' },
      { find: '/abs' },
      { find: /^\/?@vite\/env/ },
      { find: '@' },
    ])
    await dts.update(join(ROOT, 'src/physics.wasm'), meta('step'), [])
    expect(dts.prefixes).toEqual([...DEFAULT_PREFIXES, '$'])
    expect(await readFile(OUT, 'utf8')).toContain('declare module "$*/physics.wasm?asyncify" {')
  })

  it('goes into src/ when the root has one (templates include only src), else the root', async () => {
    expect(defaultDtsPath(ROOT)).toBe(join(ROOT, 'src/asyncify-wasm.d.ts'))
    expect(defaultDtsPath(join(ROOT, 'src/levels'))).toBe(join(ROOT, 'src/levels/asyncify-wasm.d.ts'))
  })

  it('reports a rewrite, and only when the content changed', async () => {
    const writes: string[] = []
    const dts = new DtsFile(OUT, ROOT)
    dts.onWrite = (path) => writes.push(path)
    await dts.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    await dts.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    const again = new DtsFile(OUT, ROOT)
    again.onWrite = (path) => writes.push(path)
    await again.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    expect(writes).toEqual([OUT])
  })

  it('keeps blocks of files another process wrote, until their wasm is gone', async () => {
    const first = new DtsFile(OUT, ROOT)
    await first.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    await first.update(join(ROOT, 'src/physics.wasm'), meta('step'), [])
    // A new process (a cached rebuild) that only sees physics.wasm, now with another export.
    await rm(join(ROOT, 'src/levels'), { recursive: true })
    const second = new DtsFile(OUT, ROOT)
    await second.update(join(ROOT, 'src/physics.wasm'), meta('tick'), [])
    let text = await readFile(OUT, 'utf8')
    expect(text).toContain('export function main(')
    expect(text).toContain('export function tick(')
    expect(text).not.toContain('export function step(')
    await rm(join(ROOT, 'src/game.wasm'))
    await new DtsFile(OUT, ROOT).update(join(ROOT, 'src/physics.wasm'), meta('tick'), [])
    text = await readFile(OUT, 'utf8')
    expect(text).not.toContain('export function main(')
  })

  it('does not rewrite an unchanged file', async () => {
    const dts = new DtsFile(OUT, ROOT)
    await dts.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    await writeFile(OUT, `${await readFile(OUT, 'utf8')}// touched\n`)
    const again = new DtsFile(OUT, ROOT)
    await again.update(join(ROOT, 'src/game.wasm'), meta('main'), [])
    // The block was regenerated, so the file changed back to exactly the rendered text.
    expect(await readFile(OUT, 'utf8')).toBe(again.render())
  })
})

describe('uniqueSuffix', () => {
  it('uses the shortest trailing path no other file ends with', () => {
    const all = ['src/game.wasm', 'src/levels/game.wasm', 'a/b/c.wasm']
    expect(uniqueSuffix('src/game.wasm', all)).toBe('src/game.wasm')
    expect(uniqueSuffix('src/levels/game.wasm', all)).toBe('levels/game.wasm')
    expect(uniqueSuffix('a/b/c.wasm', all)).toBe('c.wasm')
  })
})
