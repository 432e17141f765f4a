/**
 * The Asyncify unwind buffer: where it lives and its `{ cur, end }` header.
 *
 * Binaryen reads the header at the address passed to `asyncify_start_unwind`/`start_rewind`:
 * `{ i32 cur, i32 end }`, or two i64 for memory64, and saves frames upwards from `cur`.
 * https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L114-L138
 * Nothing is bounds-checked while frames are written (L1662-L1702 store a frame at `cur + offset`, then
 * bump `cur`); the asyncify_* calls trap afterwards when `cur > end`, i.e. after memory past `end` was
 * overwritten: https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L199-L208
 * and L1970-L1991. So the placement decides what an overflow can damage:
 * - `top`: a region the runtime adds at the top of memory; the buffer ends at the end of memory, so an
 *   overflow traps out of bounds and writes nothing of the program's. The program does not see the region
 *   (the build rewrote its memory.size/memory.grow), and the region moves up when the program grows memory.
 * - `malloc`: a block from the module's allocator with a guard of the same size behind it.
 * - `user`: `options.buffer`.
 * One buffer serves all calls: a paused call's saved data stays in it until another call needs it, and is
 * copied out to JS memory then (its bytes hold no absolute pointers, so it can come back anywhere).
 */
import { fail, fileLabel } from './errors.ts'
import type { WasmMeta } from './meta.ts'

const PAGE = 65536
/** Room for the header; 16 keeps the saved data 16-byte aligned for both header sizes. */
const HEADER = 16

export type Placement = 'top' | 'malloc' | 'user'

export interface UnwindBuffer {
  readonly placement: Placement
  /** Address of the `{ cur, end }` header. */
  header: number
  /** First byte of saved frames. */
  start: number
  /** `end` in the header: a pause may use `[start, end)`. */
  end: number
  /** Writes below this address only touch memory the runtime owns (a guard, or nothing past memory's end). */
  guardEnd: number
  /** Most bytes a pause has used so far: size `stackSize` from it. */
  peak: number
}

/** Header and data access for one instance's buffer. */
export interface BufferAccess {
  readonly buffer: UnwindBuffer
  /** Before an unwind: bring the location up to date (a `top` region moves) and write `{ start, end }`. */
  prepareUnwind(): void
  /** After an unwind: `cur` (where the saved data ends); records the peak. */
  readCur(): number
  /** Before a rewind from data that is still in the buffer at `at` (it moves along with a `top` region). */
  prepareRewind(at: number, used: number): void
  /** A copy of `[start, start + used)`: a paused call's data, taken out so another call can use the buffer. */
  save(used: number): Uint8Array
  /** Puts saved data back and writes the header for the rewind. */
  restore(data: Uint8Array): void
  /** After a failure: header back to `{ start, end }`. */
  reset(): void
  /** Bytes of memory now. */
  memorySize(): number
}

/**
 * Views of the memory the header lives in, made again when the memory grew: growing detaches a non-shared
 * buffer (a detached view has length 0), while a shared one stays valid but keeps its old length, so for
 * shared memories the length is compared. (Typed arrays use the host's byte order, little-endian on every
 * engine that runs wasm.)
 */
function views(memory: WebAssembly.Memory) {
  let u8 = new Uint8Array(0)
  let u32 = new Uint32Array(0)
  let u64 = new BigUint64Array(0)
  const refresh = () => {
    const buffer = memory.buffer
    if (u8.length !== 0 && u8.byteLength === buffer.byteLength) return false
    u8 = new Uint8Array(buffer)
    u32 = new Uint32Array(buffer)
    u64 = new BigUint64Array(buffer)
    return true
  }
  return {
    /** Makes the views current; true when the memory size changed since the last call. */
    refresh,
    get u8() {
      return u8
    },
    get u32() {
      return u32
    },
    get u64() {
      return u64
    },
  }
}

export function createBufferAccess(
  memory: WebAssembly.Memory,
  meta: WasmMeta,
  buffer: UnwindBuffer,
  top?: { reserved: number; dirty?: WebAssembly.Global },
): BufferAccess {
  const is64 = meta.memory.is64
  const v = views(memory)
  const shared = meta.memory.shared
  let dirty = 0
  const locate = () => {
    // A top region follows the end of memory, which the program may have grown since the last pause.
    const size = v.u8.length
    if (top) {
      const capacity = buffer.end - buffer.start
      buffer.header = size - top.reserved
      buffer.start = buffer.header + HEADER
      buffer.end = buffer.start + capacity
      buffer.guardEnd = size
    }
  }
  const current = () => {
    // Non-shared memory: a detached view means growth. Shared: compare lengths (never detached).
    if (v.u8.length === 0 || shared) {
      if (v.refresh()) locate()
    }
  }
  const write = (cur: number) => {
    if (is64) {
      v.u64[buffer.header / 8] = BigInt(cur)
      v.u64[buffer.header / 8 + 1] = BigInt(buffer.end)
    } else {
      v.u32[buffer.header / 4] = cur
      v.u32[buffer.header / 4 + 1] = buffer.end
    }
  }
  v.refresh()
  locate()
  return {
    buffer,
    prepareUnwind() {
      current()
      write(buffer.start)
    },
    readCur() {
      current()
      const cur = is64 ? Number(v.u64[buffer.header / 8]) : (v.u32[buffer.header / 4] as number)
      const used = cur - buffer.start
      if (used > buffer.peak) buffer.peak = used
      // The program's memory.grow zeroes what it takes from the region up to `dirty` bytes.
      if (top?.dirty && used + HEADER > dirty) {
        dirty = Math.ceil((used + HEADER) / 16) * 16
        top.dirty.value = is64 ? BigInt(dirty) : dirty
      }
      return cur
    },
    prepareRewind(at, used) {
      current()
      if (at !== buffer.start) v.u8.copyWithin(buffer.start, at, at + used)
      write(buffer.start + used)
    },
    save(used) {
      current()
      return v.u8.slice(buffer.start, buffer.start + used)
    },
    restore(data) {
      current()
      v.u8.set(data, buffer.start)
      write(buffer.start + data.length)
    },
    reset() {
      current()
      write(buffer.start)
    },
    memorySize() {
      current()
      return v.u8.length
    },
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / 16) * 16
}

/** Pages a `top` region needs for the header and `stackSize` bytes. */
export function topPages(meta: WasmMeta): number {
  return Math.ceil((alignUp(meta.buffer.stackSize) + HEADER) / PAGE)
}

/**
 * `top`: grows memory by enough pages for the header and `stackSize` bytes and tells the program (through
 * the build's `reserved` global) that they are not its own.
 */
export function placeAtTop(
  memory: WebAssembly.Memory,
  meta: WasmMeta,
  reserved: WebAssembly.Global | undefined,
): { buffer: UnwindBuffer; reserved: number } {
  const pages = topPages(meta)
  const before = reserved ? Number(reserved.value) : 0
  try {
    memory.grow((meta.memory.is64 ? BigInt(pages) : pages) as number)
  } catch (cause) {
    throw fail(
      'ASYNCIFY_BUFFER_ALLOC_FAILED',
      `allocate the unwind buffer of ${fileLabel(meta.file)}`,
      `memory.grow(${pages}) failed (${meta.buffer.stackSize} bytes of stackSize need ${pages} more 64 KiB pages; maximum ${meta.memory.maximum ?? 'none'})`,
      'Lower the stackSize option or raise the memory maximum',
      cause,
    )
  }
  const total = before + pages * PAGE
  if (reserved) reserved.value = meta.memory.is64 ? BigInt(total) : total
  // The buffer is `stackSize` bytes at the region's start; the rest of the region, up to the end of memory,
  // is its guard: an overflow stops at `end` (the pass checks) or traps at the end of memory.
  const size = memory.buffer.byteLength
  const start = size - total + HEADER
  return {
    buffer: {
      placement: 'top',
      header: size - total,
      start,
      end: start + alignUp(meta.buffer.stackSize),
      guardEnd: size,
      peak: 0,
    },
    reserved: total,
  }
}

/**
 * `malloc`: `stackSize * 2` bytes (plus the header) from the module's allocator. The first half is the
 * buffer, the second a guard: an overflow that stays inside the guard damaged nothing of the program.
 */
export function allocate(alloc: unknown, memory: WebAssembly.Memory, meta: WasmMeta): UnwindBuffer {
  const size = alignUp(meta.buffer.stackSize)
  const bytes = HEADER + 2 * size
  const ptr = typeof alloc === 'function' ? Number(alloc(meta.memory.is64 ? BigInt(bytes) : bytes)) : 0
  if (!ptr || ptr + bytes > memory.buffer.byteLength) {
    throw fail(
      'ASYNCIFY_BUFFER_ALLOC_FAILED',
      `allocate the unwind buffer of ${fileLabel(meta.file)}`,
      typeof alloc === 'function'
        ? `${meta.buffer.allocExport}(${bytes}) returned ${ptr}`
        : `the allocator export "${meta.buffer.allocExport}" is missing`,
      'Lower the stackSize option, or check that the build exports the allocator',
    )
  }
  // malloc aligns to 16 in wasi-libc/dlmalloc; align anyway so the header is always 8/16-aligned
  const header = alignUp(ptr)
  const start = header + HEADER
  return {
    placement: 'malloc',
    header,
    start,
    end: start + size,
    guardEnd: Math.min(ptr + bytes, start + 2 * size),
    peak: 0,
  }
}

/** `user`: the region from `options.buffer`; the header takes its first 16 bytes, there is no guard. */
export function userRegion(
  option: { start: number | bigint; end: number | bigint } | undefined,
  memory: WebAssembly.Memory,
  meta: WasmMeta,
): UnwindBuffer {
  if (!option) {
    throw fail(
      'ASYNCIFY_BUFFER_REQUIRED',
      `instantiate ${fileLabel(meta.file)}`,
      meta.memory.shared
        ? 'its memory is shared and the module has no malloc the runtime could use for the Asyncify unwind buffer'
        : 'the build found no safe place for the Asyncify unwind buffer (memory cannot grow for it, and the module has no malloc)',
      "Pass options.buffer = { start, end }: a region of memory the program never uses, or export the module's malloc so the runtime can allocate it",
    )
  }
  const start = Number(option.start)
  const end = Number(option.end)
  if (!(start >= 0 && start % 16 === 0 && end - start >= HEADER + 16 && end <= memory.buffer.byteLength)) {
    throw fail(
      'ASYNCIFY_BUFFER_INVALID',
      `instantiate ${fileLabel(meta.file)}`,
      `options.buffer { start: ${start}, end: ${end} } is not a 16-byte aligned region of at least ${HEADER + 16} bytes inside memory (${memory.buffer.byteLength} bytes)`,
      'Pass a region the program never uses',
    )
  }
  return { placement: 'user', header: start, start: start + HEADER, end, guardEnd: end, peak: 0 }
}
