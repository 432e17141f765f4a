// Where a run put the Asyncify unwind buffer, in words, from the facts a page sends (fixture/buffer-facts.js,
// the playground's #mode data). The tests and the demo print it next to the mode: with the mode, it is which
// cell of the engine matrix a run covered (docs/engines.md).

/**
 * @typedef {object} BufferFacts
 * @property {'jspi' | 'asyncify'} mode
 * @property {{ header: number, start: number, end: number, guardEnd: number, peak: number } | null} unwindBuffer
 *   the instance's `unwindBuffer`
 * @property {number | null} memoryBytes the size of the instance's memory
 */

/**
 * @param {BufferFacts} facts
 * @returns {string}
 */
export function describeUnwindBuffer(facts) {
  const { mode, unwindBuffer: buffer, memoryBytes } = facts
  if (mode === 'jspi') return buffer ? `unexpected under JSPI: ${JSON.stringify(buffer)}` : 'none (JSPI)'
  if (!buffer) return 'not placed'
  const size = buffer.end - buffer.start
  // `grow` and `own-memory` end the buffer at the end of memory; `malloc` and `user` regions sit inside it
  return buffer.end === memoryBytes
    ? `${size} bytes at the top of linear memory (${memoryBytes} bytes), peak ${buffer.peak}`
    : `${size} bytes inside linear memory at ${buffer.start} (malloc or user region), peak ${buffer.peak}`
}
