/** Standard output and error: to a line callback (default: the console) or to a raw byte writer. */
import { Fd, wasi } from '@bjorn3/browser_wasi_shim'

/**
 * Where stdout or stderr goes:
 * - a function: called once per complete line of text, without its `\n` (a last unfinished line is passed
 *   when the program exits);
 * - `{ write(bytes) }`: every write as it happens, unbuffered (a terminal wants this: prompts end without `\n`).
 */
export type OutputSink = ((line: string) => void) | { write(chunk: Uint8Array): void }

export class Output extends Fd {
  private readonly sink: (chunk: Uint8Array) => void
  private readonly flushLine: () => void

  constructor(sink: OutputSink) {
    super()
    if (typeof sink === 'function') {
      const decoder = new TextDecoder()
      let pending = ''
      this.sink = (chunk) => {
        pending += decoder.decode(chunk, { stream: true })
        let newline = pending.indexOf('\n')
        while (newline !== -1) {
          sink(pending.slice(0, newline))
          pending = pending.slice(newline + 1)
          newline = pending.indexOf('\n')
        }
      }
      this.flushLine = () => {
        pending += decoder.decode()
        if (pending !== '') sink(pending)
        pending = ''
      }
    } else if (sink && typeof sink.write === 'function') {
      this.sink = (chunk) => sink.write(chunk)
      this.flushLine = () => {}
    } else {
      throw new TypeError('stdout and stderr must be a function (one call per line) or { write(bytes) }')
    }
  }

  /** Passes on an unfinished last line (line mode). */
  flush(): void {
    this.flushLine()
  }

  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    // the shim hands us a copy (slice) of wasm memory, so keeping it is safe
    this.sink(data)
    return { ret: wasi.ERRNO_SUCCESS, nwritten: data.byteLength }
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_CHARACTER_DEVICE, wasi.FDFLAGS_APPEND)
    fdstat.fs_rights_base = BigInt(wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_POLL_FD_READWRITE)
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }

  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat | null } {
    return { ret: wasi.ERRNO_SUCCESS, filestat: new wasi.Filestat(0n, wasi.FILETYPE_CHARACTER_DEVICE, 0n) }
  }
}

/** The default: console.log for stdout, console.error for stderr, a call per line. */
export function consoleSink(stream: 'stdout' | 'stderr'): OutputSink {
  return stream === 'stdout' ? (line) => console.log(line) : (line) => console.error(line)
}
