// Types of unwind-buffer.mjs.
export interface BufferFacts {
  mode: 'jspi' | 'asyncify'
  /** The instance's `unwindBuffer`. */
  unwindBuffer: {
    placement: 'top' | 'malloc' | 'user'
    header: number
    start: number
    end: number
    guardEnd: number
    peak: number
  } | null
  /** The instance's `shadowStack`. */
  shadowStack: 'none' | 'slots' | 'shared' | null
  /** The size of the instance's memory. */
  memoryBytes: number | null
}
export declare function describeUnwindBuffer(facts: BufferFacts): string
