import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { asyncify } from '../src/index.ts'
import { FIXTURES_DIR, fixture } from './helpers/fixtures.ts'

// Inputs Node 20 cannot compile in the first place (memory64, multi-memory, GC, exnref) are excluded;
// memory64 output is run on Node 26 in memory.test.ts. The rest must still compile after the transform:
// features are detected from the module, so the optimizer cannot introduce encodings Node 20 rejects.
const REJECTED = new Set([
  'not-wasm.wasm',
  'truncated.wasm',
  'already-asyncified.wasm',
  'call-ref.wasm',
  'return-call.wasm',
  'try-table.wasm',
  'ref-locals.wasm',
  'two-memories.wasm',
  'pause-in-catch.wasm',
])
const NEEDS_NEWER_ENGINE = new Set(['memory64.wasm'])
const inputs = readdirSync(FIXTURES_DIR).filter(
  (name) => name.endsWith('.wasm') && !REJECTED.has(name) && !NEEDS_NEWER_ENGINE.has(name),
)

describe('every fixture output compiles on Node 20', () => {
  it('covers the fixtures', () => {
    expect(inputs).toEqual(
      expect.arrayContaining(['compute.wasm', 'loop.wasm', 'no-memory.wasm', 'article-pure.wasm']),
    )
  })

  it.each(inputs)('%s', async (name) => {
    const input = fixture(name)
    await WebAssembly.compile(input)
    const result = await asyncify(input, { cacheDir: false, jspi: 'auto', optimizeLevel: 3 })
    await expect(WebAssembly.compile(result.wasm)).resolves.toBeInstanceOf(WebAssembly.Module)
    if (result.jspiWasm)
      await expect(WebAssembly.compile(result.jspiWasm)).resolves.toBeInstanceOf(WebAssembly.Module)
  })
})
