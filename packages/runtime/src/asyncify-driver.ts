/**
 * Pausing with Binaryen's Asyncify: unwind the wasm stack into the buffer when an async import returns a
 * promise, await it with no wasm on the stack, then call the same export again to rewind to the import.
 * The loop is the one the pass documents:
 * https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L189-L197
 *
 * Several calls may be paused at once and resume in any order. Each paused call owns its saved data (left in
 * the buffer until another call needs the buffer, then copied out) and its C stack frames (see
 * shadow-stack.ts); before a call runs again both are put back where it left them.
 */

import {
  type CallContext,
  callImport,
  callWith,
  type Driver,
  entry,
  exactly,
  type Fixed,
  importLabel,
  nativeOverflow,
  notInstrumented,
  reentrantSuspend,
  reportPause,
  resolved,
  spreading,
  stackFailure,
} from './calls.ts'
import { isThenable, placeholder, silence, toWasm } from './convert.ts'
import { fail, fileLabel } from './errors.ts'
import type { ExportMeta, WasmMeta } from './meta.ts'
import { notInProfile } from './profile-miss.ts'
import type { Scheduler } from './scheduler.ts'
import type { Segment, ShadowStack } from './shadow-stack.ts'
import {
  allocate,
  type BufferAccess,
  createBufferAccess,
  placeAtTop,
  topPages,
  type UnwindBuffer,
  userRegion,
} from './unwind-buffer.ts'
import { describeTrap, trapFunction } from './wasm-frames.ts'

// `enum class State { Normal = 0, Unwinding = 1, Rewinding = 2 }`
// https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L384
const UNWINDING = 1
const REWINDING = 2

/** The control functions the pass adds (Asyncify.cpp#L1956-L2011); pointers are BigInt for memory64. */
interface AsyncifyControl {
  asyncify_start_unwind(data: number | bigint): void
  asyncify_stop_unwind(): void
  asyncify_start_rewind(data: number | bigint): void
  asyncify_stop_rewind(): void
  asyncify_get_state(): number
}

/** A call that paused at least once, or started while others were active. */
interface PausedCall extends Segment {
  /** Bytes of saved Asyncify data, and where they start while they are in the buffer. */
  used: number
  at: number
  /** The data, while it is out of the buffer. */
  data?: Uint8Array
}

export interface AsyncifyDriver extends Driver {
  /** After instantiation: finds the control exports and places the buffer (except `malloc`: first pause). */
  attach(
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory | undefined,
    option: { start: number | bigint; end: number | bigint } | undefined,
    stack: ShadowStack,
  ): void
  readonly buffer: UnwindBuffer | undefined
}

export function createAsyncifyDriver(ctx: CallContext, scheduler: Scheduler): AsyncifyDriver {
  const { meta } = ctx
  const file = fileLabel(meta.file)
  const { stackSize } = meta.buffer
  let control: AsyncifyControl
  let stack: ShadowStack
  /** Places the buffer at the first pause, when that is deferred (`malloc`). */
  let place: () => BufferAccess
  let access: BufferAccess | undefined
  /** The buffer came from options.buffer: overflow messages name it instead of stackSize. */
  let userBuffer = false
  /** The export whose top-level call is executing wasm (not paused): only then may an import pause. */
  let running: ExportMeta | undefined
  /** What the running call waits for, once an import started the unwind. */
  let pending: PromiseLike<unknown> | undefined
  /** The outcome the rewind carries back to the import that paused. */
  let resumed = false
  let resumedOk = true
  let resumedValue: unknown
  /** The paused call whose data is in the buffer. */
  let owner: PausedCall | undefined

  const pointer = (address: number): number | bigint => (meta.memory.is64 ? BigInt(address) : address)

  /** Before another call runs: the paused owner's data leaves the buffer. */
  const freeBuffer = () => {
    if (!owner) return
    owner.data = access!.save(owner.used)
    owner = undefined
  }

  const overflow = (name: string, used: number, poisoned: boolean, cause: unknown) => {
    const buffer = access?.buffer
    const size = buffer ? buffer.end - buffer.start : stackSize
    const suggestion = 2 ** Math.ceil(Math.log2(Math.max(used, size) * 2))
    return fail(
      'ASYNCIFY_STACK_OVERFLOW',
      `call export "${name}" of ${file}`,
      `the Asyncify unwind buffer overflowed: the paused call stack needs more than ${
        userBuffer ? `the ${size} bytes of options.buffer` : `stackSize = ${stackSize} bytes`
      }${poisoned ? '. It also overwrote memory past its guard, so this instance is now unusable' : ''}`,
      userBuffer ? 'Pass a larger options.buffer' : `Raise the stackSize option (try ${suggestion})`,
      cause,
    )
  }

  /**
   * After any failure of a top-level call: classify it, then put the Asyncify state, the header and the C
   * stack pointer back as they were before the call (`base`).
   */
  const recover = (error: unknown, name: string, base: number): unknown => {
    let result = nativeOverflow(ctx, name, error) ?? error
    const state = control ? control.asyncify_get_state() : 0
    const trapped = error instanceof WebAssembly.RuntimeError
    if (access) {
      const { buffer } = access
      // `cur` as the last unwind left it (stop_unwind sets the state back to normal before it traps on it)
      const cur = access.readCur()
      if (cur > buffer.end || (trapped && state === UNWINDING && /out of bounds/i.test(error.message))) {
        // Bytes written: [start, cur) after a finished unwind (stop_unwind trapped on cur > end); after an
        // out-of-bounds trap mid-unwind, possibly everything up to the end of memory.
        const reached = cur > buffer.end ? cur : access.memorySize()
        const poisoned = reached > buffer.guardEnd
        result = overflow(name, cur - buffer.start, poisoned, error)
        if (poisoned) {
          ctx.poison = fail(
            'ASYNCIFY_INSTANCE_POISONED',
            `call ${file}`,
            `an earlier call to "${name}" overflowed the Asyncify unwind buffer and overwrote program memory, so this instance can no longer be trusted`,
            'Create a new instance, and raise the stackSize option',
            result,
          )
        }
      } else if (trapped && state === UNWINDING && meta.profile) {
        result = notInProfile(
          meta,
          `pause export "${name}" of ${file}`,
          `the program trapped while its stack was unwinding (${error.message})`,
          // after optimization the code may have been inlined into the function the trace shows
          `${describeTrap(error, ctx.module)} (or a function inlined into it)`,
          error,
        )
      } else if (trapped && (state === UNWINDING || state === REWINDING)) {
        result = fail(
          'ASYNCIFY_UNWIND_FAILED',
          `${state === UNWINDING ? 'pause' : 'resume'} export "${name}" of ${file}`,
          `the program trapped while its stack was ${state === UNWINDING ? 'unwinding' : 'rewinding'} (${error.message}) in ${describeTrap(error, ctx.module)}, which was not instrumented`,
          includeFix(trapFunction(error, ctx.module)?.name),
          error,
        )
      }
      access.reset()
    }
    // the header is valid again, so these cannot trap now
    if (state === UNWINDING) control.asyncify_stop_unwind()
    else if (state === REWINDING) control.asyncify_stop_rewind()
    stack.set(base)
    // a pause that failed to unwind is never awaited: its promise must not surface as unhandled
    if (pending) silence(pending)
    pending = resumedValue = undefined
    resumed = false
    running = undefined
    return result
  }

  /** The running call has just unwound: stop, and remember where its data and frames are. */
  const paused = (call: PausedCall) => {
    const cur = access!.readCur()
    control.asyncify_stop_unwind() // traps when cur > end: recover() reports the overflow
    call.used = cur - access!.buffer.start
    call.at = access!.buffer.start
    owner = call
    stack.pause(call)
    stack.settle()
  }

  /** A call is over (returned or failed): its place on the C stack is free, moved-out frames may come back. */
  const ended = (call: PausedCall) => {
    stack.release(call)
    stack.settle()
  }

  return {
    get buffer() {
      return access?.buffer
    },

    attach(instance, mem, option, shadowStack) {
      stack = shadowStack
      if (!meta.imports.some((im) => im.suspending)) return // nothing can pause: no buffer, no control needed
      control = instance.exports as unknown as AsyncifyControl
      if (typeof control.asyncify_start_unwind !== 'function') {
        throw fail(
          'ASYNCIFY_NOT_ASYNCIFIED',
          `instantiate ${file}`,
          'the module has no asyncify_* exports, so the Asyncify pass did not run on it',
          'Pass the asyncified bytes (the build output of unplugin-asyncify) as sources.asyncify',
        )
      }
      if (!mem) {
        const m = meta.memory
        throw fail(
          'ASYNCIFY_MEMORY_NOT_FOUND',
          `instantiate ${file}`,
          `the runtime cannot reach its memory (${
            m.origin === 'imported'
              ? `import "${m.importModule}.${m.importName}"`
              : `export "${m.exportName}"`
          } is not a WebAssembly.Memory)`,
          'Pass the memory in the imports, or rebuild with unplugin-asyncify, which exports it',
        )
      }
      const { top, allocExport } = meta.buffer
      const exported = (name: string | undefined) => {
        const value = name === undefined ? undefined : instance.exports[name]
        return value instanceof WebAssembly.Global ? value : undefined
      }
      userBuffer = !!option
      if (option) {
        access = createBufferAccess(mem, meta, userRegion(option, mem, meta))
      } else if (top && !meta.memory.shared && canGrow(mem, meta)) {
        const placed = placeAtTop(mem, meta, exported(top.reservedExport))
        access = createBufferAccess(mem, meta, placed.buffer, {
          reserved: placed.reserved,
          dirty: exported(top.dirtyExport),
        })
      } else if (allocExport) {
        // lazily, at the first pause: the program may set its heap up first
        const alloc = instance.exports[allocExport]
        place = () => createBufferAccess(mem, meta, allocate(alloc, mem, meta))
      } else {
        // No placement works. A module may never pause from JS (one that drives Asyncify itself, say): fail
        // at the first pause, naming what was missing.
        place = () => {
          if (top && !meta.memory.shared) placeAtTop(mem, meta, undefined) // throws ASYNCIFY_BUFFER_ALLOC_FAILED
          return createBufferAccess(mem, meta, userRegion(undefined, mem, meta)) // throws ASYNCIFY_BUFFER_REQUIRED
        }
      }
    },

    suspending(fn, im) {
      const results = im.sig?.results ?? []
      const count = im.sig?.params.length ?? 0
      const invoke = exactly(fn, count)
      const convert = toWasm(results)
      const dummy = placeholder(results)
      return entry((a, b, c, d) => {
        if (resumed) {
          // The rewind reached the import that paused; what it returns now is the result of the
          // original call.
          control.asyncify_stop_rewind()
          const value = resumedValue
          resumed = false
          resumedValue = undefined
          if (!resumedOk) throw value // into wasm, then out of the export: the call rejects with this very object
          return convert(value)
        }
        const value = callImport(ctx, invoke, a, b, c, d)
        if (!isThenable(value)) return convert(value)
        if (ctx.depth > 0) throw reentrantSuspend(ctx, im, value)
        if (!running) {
          silence(value)
          throw fail(
            'ASYNCIFY_SYNC_SUSPEND',
            `pause in import ${importLabel(im)} of ${file}`,
            'no promise-returning call is running (an export called through instance.exports, or the start function, tried to pause)',
            'Call the export through the exports that instantiate() returns',
          )
        }
        // The build knows this export cannot be unwound: pausing would resume it from the start.
        if (running.suspending === false) throw notInstrumented(ctx, im, running.name, value)
        if (ctx.onPause) reportPause(ctx, im, 'asyncify')
        if (!access) {
          try {
            access = place()
          } catch (error) {
            silence(value)
            throw error
          }
        }
        access.prepareUnwind()
        control.asyncify_start_unwind(pointer(access.buffer.header))
        pending = value
        return dummy // ignored: the stack unwinds from here
      }, count)
    },

    starter(exported, exportMeta, spread) {
      const raw = spread ? spreading(exported) : exported
      const { name } = exportMeta
      return (a, b, c, d) => {
        // Alone, the call starts where the stack pointer is. With calls active, the buffer must be free and
        // the call gets a place on the C stack apart from theirs.
        let call: PausedCall | undefined
        if (scheduler.active > 1) {
          freeBuffer()
          try {
            call = segment(stack.enter())
          } catch (error) {
            scheduler.done()
            return Promise.reject(stackFailure(ctx, name, error))
          }
        }
        running = exportMeta
        let result: unknown
        try {
          result = raw(a, b, c, d)
        } catch (error) {
          const reason = recover(error, name, call?.base ?? stack.top)
          if (call) ended(call)
          scheduler.done()
          return Promise.reject(reason)
        }
        running = undefined
        // Arguments go in again on every rewind: the export re-runs its prologue before it skips ahead.
        if (pending) return resume(raw, exportMeta, call ?? segment(stack.top), a, b, c, d)
        // Most calls never pause: they cost one promise, like an async function.
        if (call) ended(call)
        scheduler.done()
        return resolved(result)
      }
    },

    nested: callWith,
  }

  function segment(base: number): PausedCall {
    // every field the call will have, so that all paused calls share one hidden class
    return {
      base,
      sp: base,
      home: stack.homeOf(base),
      owner: true,
      used: 0,
      at: 0,
      data: undefined,
      saved: undefined,
      out: false,
      pending: false,
    }
  }

  /** The rest of a call that paused: wait, rewind (call the export again), until it returns. */
  async function resume(
    raw: Fixed,
    exportMeta: ExportMeta,
    call: PausedCall,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ) {
    let result: unknown
    /** Ended without resuming (the instance was closed meanwhile). */
    let stopped = false
    try {
      paused(call)
      while (pending) {
        const waitFor = pending
        pending = undefined
        try {
          resumedValue = await waitFor
          resumedOk = true
        } catch (value) {
          resumedValue = value
          resumedOk = false
        }
        call.pending = false
        // A closed (or poisoned) instance runs nothing more: the call ends here, its frames are dropped.
        if (ctx.poison !== undefined) {
          stopped = true
          if (owner === call) owner = undefined
          ended(call)
          throw ctx.poison
        }
        // Put this call's data and frames back where it left them.
        if (owner === call) access!.prepareRewind(call.at, call.used)
        else {
          freeBuffer()
          access!.restore(call.data!)
          call.data = undefined
        }
        owner = undefined
        stack.resume(call)
        resumed = true
        control.asyncify_start_rewind(pointer(access!.buffer.header))
        running = exportMeta
        result = raw(a, b, c, d)
        running = undefined
        if (pending) paused(call)
      }
      ended(call)
      return result
    } catch (error) {
      if (stopped) throw error
      if (owner === call) owner = undefined
      const reason = recover(error, exportMeta.name, call.base)
      ended(call)
      throw reason
    } finally {
      scheduler.done()
    }
  }
}

/** How to get the function that trapped instrumented: the exact list entry when the build kept names. */
function includeFix(name: string | undefined): string {
  return name === undefined
    ? 'Include that function: turn off ignoreIndirect, remove it from removeList, or add it to addList (or onlyList); a development build (names kept) shows its name'
    : `Include it: addList: [${JSON.stringify(name)}] (with propagateAddList: true for its callers), or remove it from removeList, or turn off ignoreIndirect`
}

/** Can memory grow by the pages a `top` buffer of `stackSize` needs (within its maximum)? */
function canGrow(memory: WebAssembly.Memory, meta: WasmMeta): boolean {
  const limit = meta.memory.maximum ?? (meta.memory.is64 ? Number.MAX_SAFE_INTEGER : 65536)
  return memory.buffer.byteLength / 65536 + topPages(meta) <= limit
}
