// Wires snake.wasm to the page. There is no unwind/rewind code here: `?asyncify` makes `play()` return
// a promise, and the imports simply return promises where the C program blocks.

import { createKeyboard, createLineReader } from './input.ts'
import { createScreen } from './screen.ts'
import init from './snake.wasm?asyncify&init'

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (!found) throw new Error(`#${id} is missing from index.html`)
  return found as T
}

function show(id: string, value: string | number): void {
  element(id).textContent = String(value)
}

const jspi = new URLSearchParams(location.search).get('jspi') === 'off' ? 'off' : 'auto'

let memory: WebAssembly.Memory | undefined
const bytes = (): Uint8Array => new Uint8Array(memory!.buffer)

const imports = {
  env: {
    ...createScreen(element<HTMLCanvasElement>('screen'), bytes),
    ...createKeyboard(window, (key, count) => {
      show('last-key', key === ' ' ? 'Space' : key)
      show('keys', count)
    }),
    ...createLineReader(element<HTMLFormElement>('line-form'), element<HTMLInputElement>('line'), bytes),
    next_frame: () => new Promise<number>((resolve) => requestAnimationFrame(resolve)),
    report(frames: number, score: number, length: number) {
      show('frames', frames)
      show('score', score)
      show('length', length)
    },
    set_status(ptr: number, len: number) {
      show('status', new TextDecoder().decode(bytes().subarray(ptr, ptr + len)))
    },
  },
}

/**
 * Where the runtime put the unwind buffer, as JSON on #mode for the demo to print (the same facts as
 * test/browser/fixture/buffer-facts.js).
 */
function reportBuffer(game: Awaited<ReturnType<typeof init>>): void {
  element('mode').dataset.unwindBuffer = JSON.stringify({
    mode: game.mode,
    unwindBuffer: game.unwindBuffer ?? null,
    shadowStack: game.shadowStack ?? null,
    memoryBytes: game.memory?.buffer.byteLength ?? null,
  })
}

async function main(): Promise<void> {
  const game = await init(imports, { jspi })
  memory = game.memory
  show('mode', game.mode)
  reportBuffer(game)
  await game.exports._initialize?.()
  const score: number = await game.exports.play()
  const frames: number = await game.exports.frames()
  reportBuffer(game)
  show('final', `game over: score ${score} after ${frames} frames`)
}

main().catch((error: unknown) => {
  const box = element('error')
  box.hidden = false
  box.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  show('status', 'error')
  console.error(error)
})
