// The input imports of snake.c. `read_key` and `read_line` return promises: the C program blocks on
// them, and unplugin-asyncify pauses the wasm call stack until the browser event resolves them.

import type { MemoryView } from './screen.ts'

/** Key codes shared with snake.c (`KEY_*`); printable keys are their lowercase character code. */
const KEY_CODES: Record<string, number> = {
  ArrowUp: 0x101,
  ArrowDown: 0x102,
  ArrowLeft: 0x103,
  ArrowRight: 0x104,
  Enter: 13,
  Escape: 27,
  ' ': 32,
}

function keyCode(key: string): number {
  if (key in KEY_CODES) return KEY_CODES[key]!
  return key.length === 1 ? key.toLowerCase().charCodeAt(0) : 0
}

export interface KeyImports {
  read_key: () => number | Promise<number>
  poll_key: () => number
}

/**
 * A keyboard buffer like a terminal's: keys pressed while nobody waits are queued (so a fast player
 * never loses a turn), `poll_key` takes the oldest without waiting, `read_key` waits when it is empty.
 */
export function createKeyboard(target: Window, onKey: (key: string, count: number) => void): KeyImports {
  const queue: number[] = []
  let waiting: ((code: number) => void) | undefined
  let count = 0
  target.addEventListener('keydown', (event) => {
    // Typing into the name field is text, not game input.
    if (event.target instanceof HTMLInputElement) return
    const code = keyCode(event.key)
    if (!code) return
    event.preventDefault()
    onKey(event.key, ++count)
    if (waiting) {
      const resolve = waiting
      waiting = undefined
      resolve(code)
    } else if (queue.length < 16) {
      queue.push(code)
    }
  })
  return {
    read_key: () => queue.shift() ?? new Promise<number>((resolve) => (waiting = resolve)),
    poll_key: () => queue.shift() ?? 0,
  }
}

export interface LineImports {
  read_line: (ptr: number, cap: number) => Promise<number>
}

/** `read_line(buf, cap)`: enables the form, waits for submit, copies the UTF-8 text into wasm memory. */
export function createLineReader(
  form: HTMLFormElement,
  input: HTMLInputElement,
  memory: MemoryView,
): LineImports {
  const button = form.querySelector('button')
  const encoder = new TextEncoder()
  return {
    read_line(ptr, cap) {
      input.disabled = false
      if (button) button.disabled = false
      input.placeholder = 'type here, then press Enter'
      input.focus()
      return new Promise<number>((resolve) => {
        form.addEventListener(
          'submit',
          (event) => {
            event.preventDefault()
            input.disabled = true
            if (button) button.disabled = true
            // Only whole characters: encodeInto never splits a UTF-8 sequence.
            const { written } = encoder.encodeInto(input.value.trim(), memory().subarray(ptr, ptr + cap))
            input.blur()
            resolve(written)
          },
          { once: true },
        )
      })
    },
  }
}
