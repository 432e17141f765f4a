/**
 * The C shadow stack (`__stack_pointer` and the frames below it in linear memory) of one instance. A paused
 * call's frames stay in memory, and C code may hold pointers into them (an async import may even be handed
 * a stack buffer to write into), so they must be at the same addresses whenever that call runs. Calls that
 * overlap are kept apart in one of two ways:
 *
 * - Stacks of their own (`slots`), when the runtime can allocate memory through the module's allocator (an
 *   exported `malloc`, or one the build found by name and exported): a call that starts while others are
 *   active runs on a stack of its own (reused afterwards), so no frame ever moves and every pointer into a
 *   paused call's frames stays valid, for other calls and for JS.
 * - One stack, taken in turns (`shared`), for modules without a known allocator (stripped builds): a call
 *   that starts while others are paused starts below their frames (in place, nothing copied), so a call made
 *   from an import's callback can use pointers into the frames of the call waiting for it. A call that
 *   resumes needs the stack below its own frames: the frames of paused calls lying there are copied out to
 *   JS memory first, and its own are copied back if they had been moved. Calls that resume in the order
 *   they paused (last in, first out) copy nothing. Whenever wasm stops running (a call paused or ended),
 *   frames that were moved out go back in if nothing paused is in their place: an async import that writes
 *   into its call's stack buffer, or another call handed a pointer into it, finds the frames there. Only
 *   while two paused calls need the same addresses (one paused deeper than before, below the other) is one
 *   of them out of memory, and writes into it are lost: see docs/runtime.md.
 *
 * A segment is `[sp, base)`: `base` is the pointer when the call started, `sp` where it was when it paused.
 * Addresses are numbers, also for memory64 (converted at the global).
 */

export interface Segment {
  /** Stack pointer when the call started: its frames are below. */
  base: number
  /** Stack pointer when it paused. */
  sp: number
  /** Top of the stack the call runs on (the program's own, or one of its own). */
  home: number
  /** A top-level call: with `slots`, its stack is its own, given back by `release`. */
  owner: boolean
  /** Its frames while they are out of memory (`out`); the array is kept for the next time. */
  saved?: Uint8Array
  out?: boolean
  /** Paused and waiting for its import: JS may still write into its frames. */
  pending?: boolean
}

export interface ShadowStack {
  readonly kind: 'none' | 'slots' | 'shared'
  /** The pointer between calls. */
  readonly top: number
  /**
   * A top-level call starts while others are active: where it begins (also its `home`), pointer set there.
   * Throws a RangeError when no stack could be allocated for it.
   */
  enter(): number
  /** The `home` of a top-level call that began at `base`. */
  homeOf(base: number): number
  /** The running call with this segment paused: record its pointer; its frames stay in place. */
  pause(call: Segment): void
  /** Before the paused `call` runs again: its frames in place, the pointer where it paused. */
  resume(call: Segment): void
  /** A nested call paused while its caller keeps running on the same stack: move its frames out now. */
  evict(call: Segment): void
  /** `call` is over (it began with `enter`, or it paused). */
  release(call: Segment): void
  /** No wasm runs now: moved-out frames of calls still waiting go back where nothing paused is. */
  settle(): void
  /** The pointer now. */
  read(): number
  /** Set the pointer (after a failure, the epilogues that would have restored it never ran). */
  set(value: number): void
}

/** For modules without a C stack: every operation is a no-op. */
const NO_STACK: ShadowStack = {
  kind: 'none',
  top: 0,
  enter: () => 0,
  homeOf: () => 0,
  pause() {},
  resume() {},
  evict() {},
  release() {},
  settle() {},
  read: () => 0,
  set() {},
}

/** Bytes of a stack of its own: the size of the program's stack, from the layout (16 KiB to 1 MiB). */
function slotSize(top: number, low: number): number {
  const size = low > 0 && low < top ? top - low : 65536
  return Math.min(Math.max(Math.ceil(size / 16) * 16, 16384), 1 << 20)
}

export function createShadowStack(
  pointer: WebAssembly.Global | undefined,
  memory: WebAssembly.Memory | undefined,
  low: number,
  alloc: ((bytes: number) => number) | undefined,
): ShadowStack {
  if (!pointer || !memory) return NO_STACK
  const is64 = typeof pointer.value === 'bigint'
  const read = (): number => Number(pointer.value)
  const write = (value: number) => {
    pointer.value = is64 ? BigInt(value) : value
  }
  const top = read()
  // One view, made again when memory grew (growth detaches a non-shared buffer; a shared one keeps its length).
  let view = new Uint8Array(memory.buffer)
  const bytes = () => {
    if (view.length !== memory.buffer.byteLength) view = new Uint8Array(memory.buffer)
    return view
  }

  /** Paused calls whose frames are in memory, and those moved out. */
  const inPlace: Segment[] = []
  const movedOut: Segment[] = []
  const remove = (list: Segment[], call: Segment) => {
    const i = list.indexOf(call)
    if (i >= 0) list.splice(i, 1)
  }
  const drop = (call: Segment) => {
    remove(inPlace, call)
    remove(movedOut, call)
  }
  // Calls that take turns move the same frames out and back many times: copy into the same array each time.
  const moveOut = (segment: Segment) => {
    drop(segment)
    const size = segment.base - segment.sp
    if (segment.saved?.length !== size) segment.saved = new Uint8Array(size)
    segment.saved.set(bytes().subarray(segment.sp, segment.base))
    segment.out = true
    movedOut.push(segment)
  }
  const moveIn = (segment: Segment) => {
    remove(movedOut, segment)
    bytes().set(segment.saved!, segment.sp)
    segment.out = false
  }
  const overlaps = (a: Segment, b: Segment) => a.sp < b.base && b.sp < a.base
  /** Moves out the paused frames on `home`'s stack that reach below `limit` (the addresses a call may use). */
  const clearBelow = (home: number, limit: number) => {
    for (let i = inPlace.length - 1; i >= 0; i--) {
      const segment = inPlace[i]!
      if (segment.home === home && segment.sp < limit) moveOut(segment)
    }
  }

  // Stacks of their own: the program's (`top`) when free, else one from the pool or the allocator.
  const size = slotSize(top, low)
  const free: number[] = []
  let mainFree = true
  const takeSlot = (): number => {
    if (mainFree) {
      mainFree = false
      return top
    }
    const pooled = free.pop()
    if (pooled !== undefined) return pooled
    // malloc runs on the program's stack: below every frame paused there
    let sp = top
    for (const segment of inPlace) if (segment.home === top && segment.sp < sp) sp = segment.sp
    write(sp)
    const at = alloc!(size)
    if (!at) throw new RangeError(`the module's allocator could not provide ${size} bytes`)
    return Math.floor((at + size) / 16) * 16
  }

  // One stack in turns: below the paused frames, or at the top when that leaves too little of it.
  const startShared = (): number => {
    let start = top
    for (const segment of inPlace) if (segment.sp < start) start = segment.sp
    if (start - low < (top - low) / 2) {
      clearBelow(top, top)
      start = top
    }
    return start
  }

  return {
    kind: alloc ? 'slots' : 'shared',
    top,
    enter() {
      const base = alloc ? takeSlot() : startShared()
      write(base)
      return base
    },
    homeOf: (base) => (alloc ? base : top),
    pause(call) {
      call.sp = read()
      call.pending = true
      inPlace.push(call)
      // a call that began alone on the program's stack keeps it while paused
      if (call.owner && call.home === top) mainFree = false
    },
    resume(call) {
      drop(call)
      clearBelow(call.home, call.base)
      if (call.out) moveIn(call)
      write(call.sp)
    },
    evict: moveOut,
    release(call) {
      drop(call)
      call.saved = undefined
      call.out = false
      if (alloc && call.owner) {
        if (call.home === top) mainFree = true
        else free.push(call.home)
      }
      write(inPlace.length === 0 ? top : call.base)
    },
    settle() {
      for (let i = movedOut.length - 1; i >= 0; i--) {
        const segment = movedOut[i]!
        if (segment.pending && !inPlace.some((other) => overlaps(other, segment))) {
          moveIn(segment)
          inPlace.push(segment)
        }
      }
    },
    read,
    set: write,
  }
}
