// The host side of the real programs (QuickJS, Lua): the imports they need and a way to run a script.
// Shared by the benchmark (bench/real.mjs) and the e2e test (test/real-programs.test.ts), in Node 20 and 26.
//
// - `env.sleep(ms) -> i32` and `env.read_line(buf, cap) -> i32` are the two imports that may pause. How they
//   answer is the `pause` setting: 'never' returns at once (what the original module needs), 'resolved' returns
//   an already-resolved promise (the cost of a pause alone), 'timer' waits `ms` on a real timer.
// - `wasi_snapshot_preview1`: the few calls wasi-libc makes for stdio and clocks. stdout/stderr are collected;
//   every call the programs do not need answers ENOSYS, so a program that tries one fails visibly.

const ERRNO_SUCCESS = 0
const ERRNO_BADF = 8
const ERRNO_NOSYS = 52
const ERRNO_SPIPE = 70
const FILETYPE_CHARACTER_DEVICE = 2
const MAX_OUTPUT = 1 << 24

/** Thrown by `proc_exit`: the program called exit(). */
export class ProgramExit extends Error {
  constructor(code) {
    super(`the program exited with status ${code}`)
    this.code = code
  }
}

/**
 * Imports for one instance. `input` is the lines `read_line` returns, in order. Call `host.attach(memory)` once
 * the instance exists, and `host.startRun()` before each script; read what the program wrote from
 * `host.stdout` / `host.stderr`.
 *
 * A build that pauses where it was not instrumented can resume by running the program again from its start,
 * over and over (issue 15): `maxPausesPerRun` and 16 M characters of output turn that into an error instead of a hang.
 */
export function createHost(module, { input = [], pause = 'never', maxPausesPerRun = 1_000_000 } = {}) {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  const lines = [...input]
  let memory
  const host = {
    stdout: '',
    stderr: '',
    /** How many times an import answered with a promise (a pause under Asyncify and JSPI). */
    pauses: 0,
    runPauses: 0,
    attach(m) {
      memory = m
    },
    startRun() {
      host.stdout = ''
      host.stderr = ''
      host.runPauses = 0
    },
    imports: {},
  }
  const view = () => new DataView(memory.buffer)
  const later = (value, ms) => {
    host.pauses++
    if (++host.runPauses > maxPausesPerRun) {
      throw new Error(
        `runaway: more than ${maxPausesPerRun} pauses in one script run (the program seems to start over after each pause)`,
      )
    }
    if (pause === 'timer') return new Promise((resolve) => setTimeout(() => resolve(value()), ms))
    return Promise.resolve().then(value)
  }

  function readLine(buf, cap) {
    if (lines.length === 0) return -1
    const bytes = encoder.encode(lines.shift())
    const n = Math.min(bytes.length, cap)
    new Uint8Array(memory.buffer, buf, n).set(bytes.subarray(0, n))
    return n
  }

  const env = {
    sleep: (ms) => (pause === 'never' ? ms : later(() => ms, ms)),
    read_line: (buf, cap) => (pause === 'never' ? readLine(buf, cap) : later(() => readLine(buf, cap), 0)),
  }

  const wasi = {
    fd_write(fd, iovs, count, written) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF
      const dv = view()
      let text = ''
      let total = 0
      for (let i = 0; i < count; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true)
        const len = dv.getUint32(iovs + i * 8 + 4, true)
        text += decoder.decode(new Uint8Array(memory.buffer, ptr, len), { stream: true })
        total += len
      }
      if (fd === 1) host.stdout += text
      else host.stderr += text
      if (host.stdout.length + host.stderr.length > MAX_OUTPUT) {
        throw new Error(`runaway: more than ${MAX_OUTPUT} characters of output in one script run`)
      }
      dv.setUint32(written, total, true)
      return ERRNO_SUCCESS
    },
    fd_fdstat_get(fd, out) {
      if (fd > 2) return ERRNO_BADF
      const dv = view()
      dv.setUint8(out, FILETYPE_CHARACTER_DEVICE)
      dv.setUint16(out + 2, 0, true)
      dv.setBigUint64(out + 8, 0n, true)
      dv.setBigUint64(out + 16, 0n, true)
      return ERRNO_SUCCESS
    },
    fd_seek: () => ERRNO_SPIPE,
    // no preopened directories: wasi-libc's start-up asks until it gets EBADF
    fd_prestat_get: () => ERRNO_BADF,
    fd_close: () => ERRNO_SUCCESS,
    clock_time_get(id, _precision, out) {
      const ms = id === 0 ? Date.now() : performance.now()
      const ns = BigInt(Math.round(ms * 1e6))
      view().setBigUint64(out, ns, true)
      return ERRNO_SUCCESS
    },
    environ_sizes_get(count, size) {
      view().setUint32(count, 0, true)
      view().setUint32(size, 0, true)
      return ERRNO_SUCCESS
    },
    environ_get: () => ERRNO_SUCCESS,
    proc_exit(code) {
      throw new ProgramExit(code)
    },
  }

  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') continue
    if (from === 'env' && name in env) {
      host.imports.env ??= {}
      host.imports.env[name] = env[name]
    } else if (from === 'wasi_snapshot_preview1') {
      host.imports[from] ??= {}
      host.imports[from][name] = wasi[name] ?? (() => ERRNO_NOSYS)
    } else {
      throw new Error(`the real programs import only env.sleep, env.read_line and WASI; got ${from}.${name}`)
    }
  }
  return host
}

const encoder = new TextEncoder()

/**
 * Runs `source` through the program's entry export (`eval` for QuickJS, `run` for Lua), which takes
 * `(ptr, len)` of the script in memory. `exports` may be synchronous (the original module) or promise-returning
 * (our runtime): every call is awaited. Returns the entry's status (0 = ok).
 */
export async function runScript(exports, memory, entry, source) {
  const bytes = encoder.encode(source)
  const ptr = await exports.malloc(bytes.length)
  if (!ptr) throw new Error(`malloc(${bytes.length}) returned 0`)
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes)
  const status = await exports[entry](ptr, bytes.length)
  await exports.free(ptr)
  return status
}
