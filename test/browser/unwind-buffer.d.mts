// Types of unwind-buffer.mjs.
export interface BufferFacts {
  mode: 'jspi' | 'asyncify'
  unwindBuffer: { header: number; start: number; end: number; guardEnd: number; peak: number } | null
  memoryBytes: number | null
}
export declare function describeUnwindBuffer(facts: BufferFacts): string
