// blocking.c, an unmodified WASI command, run through the build and instantiateWasi: stdin that arrives late,
// sleeps that wait on timers, files, exit codes and the state after exit. The same file runs again under
// Node 26 (node26.test.ts), where the mode is JSPI.
import { describe, expect, it } from 'vitest'
import { instantiateWasi, WasiError } from '../src/index.ts'
import { AUTO_MODE, build, runBlocking, sleep } from './helpers.ts'

describe('stdin', () => {
  const LINES = Array.from({ length: 40 }, (_, i) => `line ${i} of input`)
  const expected = LINES.map((line, i) => `${i + 1}: ${line.toUpperCase()}`)

  it('reads many lines that arrive one by one, with delays, from a function', async () => {
    let next = 0
    const run = await runBlocking(['echo'], {
      stdin: async () => {
        await sleep(next % 5 === 0 ? 15 : 1)
        return next < LINES.length ? LINES[next++] : null
      },
    })
    expect(run.instance.mode).toBe(AUTO_MODE)
    expect(run.stdout).toEqual(expected)
    expect(run.stderr).toEqual(['read 40 lines'])
    expect(run.exitCode).toBe(0)
  })

  it('reads from an async iterable whose chunks split lines anywhere', async () => {
    const text = LINES.map((line) => `${line}\n`).join('')
    async function* chunks() {
      for (let at = 0; at < text.length; at += 7) {
        await sleep(1)
        yield text.slice(at, at + 7)
      }
    }
    const run = await runBlocking(['echo'], { stdin: chunks() })
    expect(run.stdout).toEqual(expected)
  })

  it('reads from a ReadableStream of bytes', async () => {
    const bytes = new TextEncoder().encode('one\ntwo\n')
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(5)
        controller.enqueue(bytes)
        controller.close()
      },
    })
    const run = await runBlocking(['echo'], { stdin: stream })
    expect(run.stdout).toEqual(['1: ONE', '2: TWO'])
  })

  it('takes a string as the whole input, and no stdin as an empty one', async () => {
    expect((await runBlocking(['echo'], { stdin: 'a\nb\n' })).stdout).toEqual(['1: A', '2: B'])
    const empty = await runBlocking(['echo'])
    expect(empty.stdout).toEqual([])
    expect(empty.stderr).toEqual(['read 0 lines'])
    expect(empty.exitCode).toBe(4) // main's return value
  })

  it('rejects the call with the error the stdin source threw, and leaves the instance exited with code 1', async () => {
    const problem = new Error('the input went away')
    const { sources, meta } = await build('blocking.wasm')
    const instance = await instantiateWasi(sources, meta, undefined, {
      wasi: {
        args: ['blocking', 'echo'],
        stdin: async () => {
          await sleep(1)
          throw problem
        },
      },
    })
    await expect(instance.exports._start()).rejects.toBe(problem)
    expect(instance.exitCode).toBe(1)
    await expect(instance.exports._start()).rejects.toMatchObject({ code: 'WASI_EXITED', exitCode: 1 })
  })

  it('poll() on stdin times out, then wakes up when input arrives', async () => {
    const run = await runBlocking(['poll'], {
      stdin: async () => {
        await sleep(300)
        return 'late'
      },
    })
    expect(run.stdout).toEqual(['first poll: timeout', 'second poll: ready, read late'])
    expect(run.exitCode).toBe(0)
  })
})

describe('sleep', () => {
  /** Process CPU time and wall time of `work`, in ms, and how often a 10 ms interval timer ran meanwhile. */
  async function measure(work: () => Promise<unknown>) {
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const cpu = process.cpuUsage()
    const start = performance.now()
    try {
      await work()
    } finally {
      clearInterval(timer)
    }
    const used = process.cpuUsage(cpu)
    return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000, ticks }
  }

  it('sleep(1) waits a second of wall time without spinning a CPU or blocking the event loop', async () => {
    await build('blocking.wasm') // not part of the measurement
    let run: Awaited<ReturnType<typeof runBlocking>> | undefined
    const { wall, cpu, ticks } = await measure(async () => {
      run = await runBlocking(['sleep'])
    })
    expect(run!.exitCode).toBe(0)
    const slept = Number(/sleep took (\d+) ms/.exec(run!.stdout[0]!)![1])
    // the program's own monotonic clock, and ours, both saw at least the second it asked for
    expect(slept).toBeGreaterThanOrEqual(1000)
    expect(wall).toBeGreaterThanOrEqual(1000)
    // a busy wait would burn the whole second on this thread; a timer uses next to nothing
    expect(cpu).toBeLessThan(wall / 2)
    // and the event loop kept running: the 10 ms interval fired during the sleep
    expect(ticks).toBeGreaterThan(20)
  })

  it.each(['usleep', 'nanosleep'])('%s(250 ms) waits at least 250 ms', async (how) => {
    const run = await runBlocking([how])
    expect(Number(/took (\d+) ms/.exec(run.stdout[0]!)![1])).toBeGreaterThanOrEqual(250)
  })
})

describe('files, args, env, output', () => {
  it('reads a file from the in-memory file system and writes a new one', async () => {
    const run = await runBlocking(['cat', '/data/in.txt'], { files: { '/data/in.txt': 'first\nsecond\n' } })
    expect(run.stdout).toEqual(['first', 'second', 'reread: written by the program'])
    expect(run.exitCode).toBe(0)
  })

  it('reports a missing file on stderr and exits with main’s code', async () => {
    const run = await runBlocking(['cat', '/missing.txt'])
    expect(run.stderr).toEqual(['/missing.txt: No such file or directory'])
    expect(run.exitCode).toBe(2)
  })

  it('passes args and env', async () => {
    const run = await runBlocking(['env', 'two words'], { env: { GREETING: 'hello there' } })
    expect(run.stdout).toEqual([
      'argv[0]=blocking',
      'argv[1]=env',
      'argv[2]=two words',
      'GREETING=hello there',
    ])
  })

  it('names the program after the file when args are not given', async () => {
    const { sources, meta } = await build('blocking.wasm')
    const stderr: string[] = []
    const instance = await instantiateWasi(sources, meta, undefined, {
      wasi: { stderr: (l) => stderr.push(l) },
    })
    expect(await instance.exports._start()).toEqual({ exitCode: 64 })
    expect(stderr[0]).toMatch(/^usage: blocking echo/)
  })

  it('hands raw writes to a { write } sink as they happen, unbuffered', async () => {
    const chunks: string[] = []
    const decoder = new TextDecoder()
    await runBlocking(['echo'], {
      stdin: 'x\n',
      stdout: { write: (bytes) => chunks.push(decoder.decode(bytes)) },
    })
    expect(chunks.join('')).toBe('1: X\n')
  })

  it('refuses unknown options with a coded error', async () => {
    const error = await runBlocking(['echo'], { stdn: 'x' } as object).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WasiError)
    expect((error as WasiError).code).toBe('WASI_INVALID_OPTION')
    expect((error as Error).message).toMatch(/unknown option "stdn"/)
  })
})

describe('exit', () => {
  it('exit() five frames down resolves _start with the code; the rest of the program never runs', async () => {
    const run = await runBlocking(['exit'], { stdin: '42\n' })
    expect(run.exitCode).toBe(42)
    expect(run.stdout).toEqual(['before', 'exiting with 42'])
  })

  it('leaves the instance exited: exitCode is set, memory readable, every later call rejects with WASI_EXITED', async () => {
    const { instance } = await runBlocking(['exit'], { stdin: '7\n' })
    expect(instance.exitCode).toBe(7)
    expect(instance.memory!.buffer.byteLength).toBeGreaterThan(0)
    const again = await instance.exports._start().catch((e: unknown) => e)
    expect(again).toBeInstanceOf(WasiError)
    expect((again as WasiError).code).toBe('WASI_EXITED')
    expect((again as WasiError).exitCode).toBe(7)
    expect((again as Error).message).toMatch(
      /Failed to call "_start" of "blocking\.wasm": the program already exited with code 7\./,
    )
  })

  it('a command that returned normally is exited too (code 0): _start runs once per instance', async () => {
    const { instance } = await runBlocking(['echo'], { stdin: 'a\n' })
    expect(instance.exitCode).toBe(0)
    await expect(instance.exports._start()).rejects.toMatchObject({ code: 'WASI_EXITED' })
  })
})
