// Where a run put the Asyncify unwind buffer, in words, from the facts a page sends (fixture/buffer-facts.js,
// the playground's #mode data). The tests and the demo print it next to the mode: with the mode, it is which
// cell of the engine matrix a run covered (docs/engines.md).

/** `instance.unwindBuffer.placement` (packages/runtime/src/unwind-buffer.ts). */
const PLACEMENTS = {
  top: 'region at the top of linear memory',
  malloc: "block from the module's malloc, guard behind it",
  user: 'options.buffer region',
}

/**
 * @param {import('./unwind-buffer.mjs').BufferFacts} facts
 * @returns {string}
 */
export function describeUnwindBuffer(facts) {
  const { mode, unwindBuffer: buffer, shadowStack, memoryBytes } = facts
  const stack = shadowStack ? `; C stack: ${shadowStack}` : ''
  if (mode === 'jspi')
    return `${buffer ? `unexpected under JSPI: ${JSON.stringify(buffer)}` : 'none (JSPI)'}${stack}`
  if (!buffer) return `not placed${stack}`
  const where = PLACEMENTS[buffer.placement] ?? `placement ${buffer.placement}`
  return `${where}, ${buffer.end - buffer.start} bytes at ${buffer.start} of ${memoryBytes}, peak ${buffer.peak}${stack}`
}
