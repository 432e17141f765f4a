/**
 * A WASI preview1 implementation for one instance: @bjorn3/browser_wasi_shim does the synchronous calls
 * (file system, args, env, clocks, random), we add the calls that wait (`fd_read` on stdin, `poll_oneoff`)
 * and turn `proc_exit` into a value the call wrapper can recognize.
 */
import { type Fd, WASI, wasi } from '@bjorn3/browser_wasi_shim'
import { fail, WasiExit } from './errors.ts'
import { rootDirectory } from './files.ts'
import { WASI_OPTION_KEYS, type WasiOptions } from './options.ts'
import { consoleSink, Output } from './output.ts'
import { pollOneoff } from './poll.ts'
import { Stdin } from './stdin.ts'

export type WasiImports = Record<string, (...args: any[]) => unknown>

export interface Wasi {
  /** The functions of the `wasi_snapshot_preview1` import module. */
  readonly imports: WasiImports
  /** Connects the imports to the instance's memory; call it once, right after instantiation. */
  attach(memory: WebAssembly.Memory): void
  /** Passes unfinished lines on to line-mode stdout/stderr; called when the program ends. */
  flush(): void
}

export function createWasi(options: WasiOptions = {}, programName = 'program'): Wasi {
  validate(options)
  const stdin = new Stdin(options.stdin)
  const stdout = new Output(options.stdout ?? consoleSink('stdout'))
  const stderr = new Output(options.stderr ?? consoleSink('stderr'))
  const args = [...(options.args ?? [programName])]
  const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`)
  const fds: Fd[] = [stdin, stdout, stderr, rootDirectory(options.files)]
  for (const [name, preopen] of Object.entries(options.preopens ?? {})) fds.push(preopen.open(name))
  const shim = new WASI(args, env, fds, { debug: false })

  let memory: WebAssembly.Memory | undefined
  const getMemory = (): WebAssembly.Memory => {
    if (!memory) {
      throw fail(
        'WASI_NO_MEMORY',
        'run a WASI call',
        'the WASI imports are not attached to an instance memory yet',
        'Call attach(instance.memory) right after instantiating (instantiateWasi does it)',
      )
    }
    return memory
  }
  const base = shim.wasiImport
  const readFd = base.fd_read!
  const imports: WasiImports = {
    ...base,
    fd_read(fd: number, iovs: number, iovsLength: number, nread: number) {
      // only stdin waits, and only when nothing is buffered
      if (fd === 0 && shim.fds[0] === stdin && !stdin.ready) {
        return stdin.pull().then(() => readFd(fd, iovs, iovsLength, nread))
      }
      return readFd(fd, iovs, iovsLength, nread)
    },
    poll_oneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number) {
      return pollOneoff(
        { memory: getMemory, stdin, isOpen: (fd) => shim.fds[fd] !== undefined },
        inPtr,
        outPtr,
        count,
        neventsPtr,
      )
    },
    proc_exit(code: number) {
      throw new WasiExit(code)
    },
    // The shim throws strings for these; a program gets an error code it can handle instead.
    proc_raise: () => wasi.ERRNO_NOTSUP,
    sock_accept: () => wasi.ERRNO_NOTSUP,
    sock_recv: () => wasi.ERRNO_NOTSUP,
    sock_send: () => wasi.ERRNO_NOTSUP,
    sock_shutdown: () => wasi.ERRNO_NOTSUP,
    sched_yield: () => wasi.ERRNO_SUCCESS,
  }
  return {
    imports,
    attach(mem) {
      memory = mem
      // the shim reads memory through this field; nothing else of the instance is needed
      shim.inst = { exports: { memory: mem } }
    },
    flush() {
      stdout.flush()
      stderr.flush()
    },
  }
}

function validate(options: WasiOptions): void {
  const invalid = (cause: string, fix: string) => fail('WASI_INVALID_OPTION', 'set up WASI', cause, fix)
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('the wasi options must be an object', 'Pass an object such as { args: ["prog"] }')
  }
  for (const key of Object.keys(options)) {
    if (!(WASI_OPTION_KEYS as readonly string[]).includes(key)) {
      throw invalid(`unknown option "${key}"`, `Valid options: ${WASI_OPTION_KEYS.join(', ')}`)
    }
  }
  if (
    options.args !== undefined &&
    !(Array.isArray(options.args) && options.args.every((a) => typeof a === 'string'))
  ) {
    throw invalid('option "args" must be an array of strings', 'Pass the program name first: ["prog", "arg"]')
  }
  for (const [name, preopen] of Object.entries(options.preopens ?? {})) {
    if (!name.startsWith('/') || name === '/' || typeof preopen?.open !== 'function') {
      throw invalid(
        `preopen ${JSON.stringify(name)} is not an absolute path below / with a directory from hostDirectory()`,
        "Use for example { '/data': hostDirectory('./data') } (import it from @unplugin-asyncify/wasi/node)",
      )
    }
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (typeof value !== 'string' || key.includes('=')) {
      throw invalid(
        `environment variable ${JSON.stringify(key)} is not a string without "=" in its name`,
        'Use string names and values',
      )
    }
  }
}
