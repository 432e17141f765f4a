// The canvas imports of snake.c: immediate calls that draw into a 2D context.

/** Reads the wasm memory lazily: the instance (and its memory) exists only after the imports are built. */
export type MemoryView = () => Uint8Array

const decoder = new TextDecoder()

function css(rgb: number): string {
  return `#${(rgb >>> 0).toString(16).padStart(6, '0')}`
}

export interface ScreenImports {
  clear: (rgb: number) => void
  fill_rect: (x: number, y: number, w: number, h: number, rgb: number) => void
  draw_text: (ptr: number, len: number, x: number, y: number, size: number, rgb: number) => void
}

export function createScreen(canvas: HTMLCanvasElement, memory: MemoryView): ScreenImports {
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('This browser has no 2D canvas.')
  return {
    clear(rgb) {
      ctx.fillStyle = css(rgb)
      ctx.fillRect(0, 0, canvas.width, canvas.height)
    },
    fill_rect(x, y, w, h, rgb) {
      ctx.fillStyle = css(rgb)
      ctx.fillRect(x, y, w, h)
    },
    draw_text(ptr, len, x, y, size, rgb) {
      ctx.fillStyle = css(rgb)
      ctx.font = `${size}px ui-monospace, Menlo, monospace`
      ctx.fillText(decoder.decode(memory().subarray(ptr, ptr + len)), x, y)
    },
  }
}
