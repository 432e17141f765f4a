/**
 * The Asyncify unwind buffer: where it lives and its `{ cur, end }` header.
 *
 * Binaryen reads the header at the address passed to `asyncify_start_unwind`/`start_rewind`:
 * `{ i32 cur, i32 end }`, or two i64 for memory64, and saves frames upwards from `cur`.
 * https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L114-L138
 * Nothing is bounds-checked while frames are written (L1662-L1702 store a frame at `cur + offset`, then
 * bump `cur`); the asyncify_* calls trap afterwards when `cur > end`, i.e. after memory past `end` was
 * overwritten: https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L199-L208
 * and L1970-L1991.
 * So the placement decides what an overflow can damage, and `guardEnd` records how far writes are harmless.
 */
import { fail, fileLabel } from './errors.ts'
import type { WasmMeta } from './meta.ts'

const PAGE = 65536

export interface UnwindBuffer {
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

function headerSize(meta: WasmMeta): number {
  return meta.memory.is64 ? 16 : 8
}

/** Buffer sizes are kept multiples of 16, so every address stays aligned for the i64 header of memory64. */
function roundUp(n: number): number {
  return Math.ceil(n / 16) * 16
}

/**
 * Views of the memory the header lives in, made again only when the memory grew: growing detaches the old
 * buffer, and a detached typed array has length 0, so checking costs no `memory.buffer` access per pause.
 * (Typed arrays use the host's byte order, little-endian on every engine that runs wasm.)
 */
let viewed: WebAssembly.Memory | undefined
let u32 = new Uint32Array(0)
let u64 = new BigUint64Array(0)
function view(memory: WebAssembly.Memory): void {
  if (memory === viewed && u32.length !== 0) return
  viewed = memory
  u32 = new Uint32Array(memory.buffer)
  u64 = new BigUint64Array(memory.buffer)
}

/** Header `{ cur, end }` with `cur` back at `start`: after placing the buffer and after every failure. */
export function resetHeader(memory: WebAssembly.Memory, meta: WasmMeta, b: UnwindBuffer): void {
  view(memory)
  if (meta.memory.is64) {
    u64[b.header / 8] = BigInt(b.start)
    u64[b.header / 8 + 1] = BigInt(b.end)
  } else {
    u32[b.header / 4] = b.start
    u32[b.header / 4 + 1] = b.end
  }
}

export function readCur(memory: WebAssembly.Memory, meta: WasmMeta, b: UnwindBuffer): number {
  view(memory)
  return meta.memory.is64 ? Number(u64[b.header / 8]) : (u32[b.header / 4] as number)
}

function region(header: number, start: number, end: number, guardEnd: number): UnwindBuffer {
  return { header, start, end, guardEnd, peak: 0 }
}

/**
 * `grow`/`own-memory`: the buffer ends exactly at the end of memory, so an overflowing write traps out of
 * bounds before it can reach anything else. `grow` always adds pages (the program's memory stays whole);
 * `own-memory` (memory the build added, no program data in it) grows only when too small.
 */
export function placeAtTop(memory: WebAssembly.Memory, meta: WasmMeta, always: boolean): UnwindBuffer {
  const size = roundUp(meta.buffer.stackSize) + headerSize(meta)
  const have = memory.buffer.byteLength
  const pages = always ? Math.ceil(size / PAGE) : have >= size ? 0 : Math.ceil((size - have) / PAGE)
  try {
    if (pages) memory.grow((meta.memory.is64 ? BigInt(pages) : pages) as number)
  } catch (cause) {
    throw fail(
      'ASYNCIFY_BUFFER_ALLOC_FAILED',
      `allocate the unwind buffer of ${fileLabel(meta.file)}`,
      `memory.grow(${pages}) failed (${meta.buffer.stackSize} bytes of stackSize need ${pages} more 64 KiB pages; maximum ${meta.memory.maximum ?? 'none'})`,
      'Lower the stackSize option or raise the memory maximum',
      cause,
    )
  }
  const top = memory.buffer.byteLength
  const start = top - roundUp(meta.buffer.stackSize)
  return region(start - headerSize(meta), start, top, top)
}

/**
 * `malloc`: `stackSize * 2` bytes (plus the header) from the module's allocator. The first half is the
 * buffer, the second a guard: an overflow that stays inside the guard damaged nothing of the program.
 */
export function allocate(alloc: unknown, memory: WebAssembly.Memory, meta: WasmMeta): UnwindBuffer {
  const size = roundUp(meta.buffer.stackSize)
  const bytes = headerSize(meta) + 2 * size
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
  const header = roundUp(ptr)
  const start = header + headerSize(meta)
  return region(header, start, start + size, Math.min(ptr + bytes, start + 2 * size))
}

/** `user`: the region from `options.buffer`; the header takes its first 8 (16) bytes, there is no guard. */
export function userRegion(
  option: { start: number | bigint; end: number | bigint } | undefined,
  memory: WebAssembly.Memory,
  meta: WasmMeta,
): UnwindBuffer {
  if (!option) {
    throw fail(
      'ASYNCIFY_BUFFER_REQUIRED',
      `instantiate ${fileLabel(meta.file)}`,
      'the build found no safe place for the Asyncify unwind buffer (memory cannot grow for it, and the module has no malloc)',
      "Pass options.buffer = { start, end }: a region of memory the program never uses, or export the module's malloc so the runtime can allocate it",
    )
  }
  const start = Number(option.start)
  const end = Number(option.end)
  const header = headerSize(meta)
  if (!(start >= 0 && start % 16 === 0 && end - start >= header + 16 && end <= memory.buffer.byteLength)) {
    throw fail(
      'ASYNCIFY_BUFFER_INVALID',
      `instantiate ${fileLabel(meta.file)}`,
      `options.buffer { start: ${start}, end: ${end} } is not a 16-byte aligned region of at least ${header + 16} bytes inside memory (${memory.buffer.byteLength} bytes)`,
      'Pass a region the program never uses',
    )
  }
  return region(start, start + header, end, end)
}
