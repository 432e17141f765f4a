// hostDirectory() of @unplugin-asyncify/wasi/node: a real directory preopened for blocking.c. The program reads,
// writes and lists real files, and cannot leave the directory with `..` or a symbolic link.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WasiError } from '../src/index.ts'
import { hostDirectory } from '../src/node.ts'
import { runBlocking } from './helpers.ts'

let outside: string
let dir: string

beforeAll(() => {
  outside = mkdtempSync(join(tmpdir(), 'wasi-host-'))
  dir = join(outside, 'shared')
  mkdirSync(dir)
  writeFileSync(join(dir, 'in.txt'), 'from the host\n')
  writeFileSync(join(outside, 'secret.txt'), 'not for the program\n')
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'link-out.txt'))
})

afterAll(() => {
  rmSync(outside, { recursive: true, force: true })
})

describe('hostDirectory', () => {
  it('reads a real file', async () => {
    const run = await runBlocking(['cat', '/host/in.txt'], { preopens: { '/host': hostDirectory(dir) } })
    expect(run.stdout).toEqual(['from the host', 'reread: written by the program'])
    expect(run.exitCode).toBe(0)
  })

  it('writes a real file the host then sees', async () => {
    const run = await runBlocking(['write', '/host/out.txt', 'from the program'], {
      preopens: { '/host': hostDirectory(dir) },
    })
    expect(run.stdout).toEqual(['wrote and read back: from the program'])
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('from the program\n')
  })

  it('lists a real directory', async () => {
    const run = await runBlocking(['ls', '/host'], { preopens: { '/host': hostDirectory(dir) } })
    expect(run.stdout.sort()).toEqual(['in.txt', 'link-out.txt', 'out.txt'])
  })

  it.each([
    ['..', '/host/../secret.txt'],
    ['a symbolic link', '/host/link-out.txt'],
  ])('cannot read outside the directory through %s', async (_, path) => {
    const run = await runBlocking(['cat', path], { preopens: { '/host': hostDirectory(dir) } })
    expect(run.exitCode).toBe(2)
    expect(run.stdout).toEqual([])
    expect(run.stderr).toHaveLength(1)
    expect(run.stderr[0]).toMatch(/^\/host\/.*: /)
  })

  it('refuses a directory that does not exist, and a preopen named /', async () => {
    expect(() => hostDirectory(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'WASI_HOST_FS' }))
    const error = await runBlocking(['ls', '/'], { preopens: { '/': hostDirectory(dir) } }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(WasiError)
    expect((error as WasiError).code).toBe('WASI_INVALID_OPTION')
  })
})
