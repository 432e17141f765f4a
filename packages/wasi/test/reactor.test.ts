// reactor.c, an unmodified WASI reactor: _initialize once before the first call, exports that wait for stdin
// and sleep, exit() from an export.
import { describe, expect, it } from 'vitest'
import { instantiateWasi, WasiError, WasiExit } from '../src/index.ts'
import { AUTO_MODE, build, sleep } from './helpers.ts'

async function reactor(stdin?: AsyncIterable<string>) {
  const { sources, meta } = await build('reactor.wasm')
  const stdout: string[] = []
  const instance = await instantiateWasi(sources, meta, undefined, {
    wasi: { stdin, stdout: (line) => stdout.push(line) },
  })
  return { instance, stdout }
}

describe('reactor', () => {
  it('runs _initialize (the C constructors) once, before the first call, however many calls there are', async () => {
    const { instance } = await reactor()
    expect(instance.mode).toBe(AUTO_MODE)
    const counts = await Promise.all([instance.exports.constructed(), instance.exports.constructed()])
    expect(counts).toEqual([1, 1])
    await instance.exports._initialize() // an explicit call is the same single run
    expect(await instance.exports.constructed()).toBe(1)
  })

  it('an export waits for stdin that arrives later, number by number', async () => {
    async function* input() {
      yield '12 '
      await sleep(50)
      yield '3'
      await sleep(20)
      yield '4\n'
    }
    const { instance } = await reactor(input())
    expect(await instance.exports.read_number()).toBe(12)
    expect(await instance.exports.read_number()).toBe(34)
    expect(await instance.exports.read_number()).toBe(-1) // end of input
  })

  it('an export sleeps on a timer and returns its result', async () => {
    const { instance } = await reactor()
    const start = performance.now()
    expect(await instance.exports.nap(100)).toBe(100)
    expect(performance.now() - start).toBeGreaterThanOrEqual(99)
  })

  it('exit() inside an export rejects that call with WasiExit, then the instance is exited', async () => {
    const { instance, stdout } = await reactor()
    expect(await instance.exports.constructed()).toBe(1)
    const error = await instance.exports.quit(9).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WasiExit)
    expect((error as WasiExit).exitCode).toBe(9)
    expect(stdout).toEqual(['bye']) // C's exit() flushed stdio first
    expect(instance.exitCode).toBe(9)
    const later = await instance.exports.constructed().catch((e: unknown) => e)
    expect(later).toBeInstanceOf(WasiError)
    expect((later as WasiError).code).toBe('WASI_EXITED')
  })
})
