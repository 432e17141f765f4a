// The terminal's line discipline, the part a tty driver does for a C program: echo what is typed, handle
// Backspace, and hand over a whole line on Enter. xterm.js draws; the program reads lines from `readLine`.
import { Terminal } from '@xterm/xterm'

export interface LineTerminal {
  /** The next line typed (without its newline), or null after Ctrl-D on an empty line. */
  readLine(): Promise<string | null>
  /** Output of the program, raw bytes as written (prompts have no newline). */
  write(bytes: Uint8Array): void
  /** Everything shown so far as plain text (what a reader of the screen sees), for checks. */
  readonly transcript: string
  /** Called whenever the program starts or stops waiting for a line. */
  onWaiting(listener: (waiting: boolean) => void): void
  clear(): void
}

/** `mirror`, when given, always holds the transcript as its text (a plain-text view for checks). */
export function createLineTerminal(host: HTMLElement, mirror?: HTMLElement): LineTerminal {
  const term = new Terminal({ convertEol: true, cursorBlink: true, rows: 24, cols: 80, fontSize: 14 })
  term.open(host)
  term.focus()
  const decoder = new TextDecoder()
  const lines: (string | null)[] = []
  let waiter: ((line: string | null) => void) | undefined
  let current = ''
  let transcript = ''
  let waitingListener: (waiting: boolean) => void = () => {}

  const setTranscript = (text: string) => {
    transcript = text
    if (mirror) mirror.textContent = text
  }
  const show = (text: string) => {
    setTranscript(transcript + text)
    term.write(text)
  }
  const deliver = (line: string | null) => {
    if (waiter) {
      const resolve = waiter
      waiter = undefined
      waitingListener(false)
      resolve(line)
    } else {
      lines.push(line)
    }
  }

  term.onData((data) => {
    for (const char of data) {
      if (char === '\r') {
        show('\n')
        const line = current
        current = ''
        deliver(line)
      } else if (char === '\x7f' || char === '\b') {
        if (current.length > 0) {
          current = current.slice(0, -1)
          setTranscript(transcript.slice(0, -1))
          term.write('\b \b')
        }
      } else if (char === '\x04') {
        if (current === '') deliver(null)
      } else if (char >= ' ') {
        current += char
        show(char)
      }
    }
  })

  return {
    readLine() {
      if (lines.length > 0) return Promise.resolve(lines.shift()!)
      return new Promise((resolve) => {
        waiter = resolve
        waitingListener(true)
      })
    },
    write(bytes) {
      show(decoder.decode(bytes, { stream: true }))
    },
    get transcript() {
      return transcript
    },
    onWaiting(listener) {
      waitingListener = listener
    },
    clear() {
      lines.length = 0
      current = ''
      setTranscript('')
      term.reset()
      term.focus()
    },
  }
}
