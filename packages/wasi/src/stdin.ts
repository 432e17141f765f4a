/**
 * Standard input that may arrive later: the program's `fd_read` on fd 0 takes what is buffered and, when
 * nothing is, the WASI layer awaits `pull()` first, so the program pauses until input or end of input.
 */
import { Fd, wasi } from '@bjorn3/browser_wasi_shim'

/** One piece of input: text (UTF-8 encoded) or bytes. */
export type StdinChunk = string | Uint8Array

/**
 * Where standard input comes from:
 * - a string or bytes: the whole input, then end of input;
 * - a function called each time the program needs input and none is buffered, returning (a promise of) the
 *   next line or bytes, or `null`/`undefined` for end of input. A string is a line: a `\n` is added when it
 *   does not end with one;
 * - an async iterable or a `ReadableStream` of strings or bytes (Node's `process.stdin` is one), passed on
 *   as they are: end of input when it ends.
 */
export type StdinSource =
  | StdinChunk
  | (() => StdinChunk | null | undefined | PromiseLike<StdinChunk | null | undefined>)
  | AsyncIterable<StdinChunk>
  | ReadableStream<StdinChunk>

type Next = () => Promise<Uint8Array | null>

const encoder = new TextEncoder()
const toBytes = (chunk: StdinChunk): Uint8Array => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk)

/** The source as one function: the next chunk, or null at end of input. */
function toNext(source: StdinSource | undefined): Next {
  if (source === undefined || source === null) return async () => null
  if (typeof source === 'string' || source instanceof Uint8Array) {
    let done = false
    return async () => {
      if (done) return null
      done = true
      return toBytes(source)
    }
  }
  if (typeof source === 'function') {
    return async () => {
      const value = await source()
      if (value === null || value === undefined) return null
      if (typeof value === 'string') return encoder.encode(value.endsWith('\n') ? value : `${value}\n`)
      return toBytes(value)
    }
  }
  if (typeof (source as ReadableStream).getReader === 'function') {
    const reader = (source as ReadableStream<StdinChunk>).getReader()
    return async () => {
      const { done, value } = await reader.read()
      return done ? null : toBytes(value)
    }
  }
  if (typeof (source as AsyncIterable<StdinChunk>)[Symbol.asyncIterator] === 'function') {
    const iterator = (source as AsyncIterable<StdinChunk>)[Symbol.asyncIterator]()
    return async () => {
      const { done, value } = await iterator.next()
      return done ? null : toBytes(value)
    }
  }
  throw new TypeError('stdin must be a string, bytes, a function, an async iterable or a ReadableStream')
}

export class Stdin extends Fd {
  private readonly next: Next
  private chunks: Uint8Array[] = []
  private ended = false
  private pulling: Promise<void> | undefined

  constructor(source: StdinSource | undefined) {
    super()
    this.next = toNext(source)
  }

  /** `fd_read` can answer now: there are bytes, or the input has ended. */
  get ready(): boolean {
    return this.ended || this.chunks.length > 0
  }

  /**
   * Waits until `ready`, asking the source for more as needed. One request at a time: a poll that gave up
   * waiting leaves the request running, and its data is kept for the next read.
   */
  pull(): Promise<void> {
    if (this.ready) return Promise.resolve()
    this.pulling ??= (async () => {
      try {
        while (!this.ready) {
          const chunk = await this.next()
          if (chunk === null) this.ended = true
          else if (chunk.length > 0) this.chunks.push(chunk)
        }
      } finally {
        this.pulling = undefined
      }
    })()
    return this.pulling
  }

  /** Up to `size` buffered bytes; none at end of input (EOF). Never waits: see `pull`. */
  override fd_read(size: number): { ret: number; data: Uint8Array } {
    const parts: Uint8Array[] = []
    let total = 0
    while (total < size && this.chunks.length > 0) {
      const head = this.chunks[0]!
      const take = Math.min(size - total, head.length)
      parts.push(head.subarray(0, take))
      total += take
      if (take === head.length) this.chunks.shift()
      else this.chunks[0] = head.subarray(take)
    }
    const data = parts.length === 1 ? parts[0]! : new Uint8Array(total)
    if (parts.length > 1) {
      let at = 0
      for (const part of parts) {
        data.set(part, at)
        at += part.length
      }
    }
    return { ret: wasi.ERRNO_SUCCESS, data }
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_CHARACTER_DEVICE, 0)
    fdstat.fs_rights_base = BigInt(wasi.RIGHTS_FD_READ | wasi.RIGHTS_POLL_FD_READWRITE)
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }

  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat | null } {
    return { ret: wasi.ERRNO_SUCCESS, filestat: new wasi.Filestat(0n, wasi.FILETYPE_CHARACTER_DEVICE, 0n) }
  }
}
