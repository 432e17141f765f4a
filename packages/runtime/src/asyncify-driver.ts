/**
 * Pausing with Binaryen's Asyncify: unwind the wasm stack into the buffer when an async import returns a
 * promise, await it with no wasm on the stack, then call the same export again to rewind to the import.
 * The loop is the one the pass documents:
 * https://github.com/WebAssembly/binaryen/blob/version_132/src/passes/Asyncify.cpp#L189-L197
 */
import { allocate, placeAtTop, readCur, resetHeader, type UnwindBuffer, userRegion } from './buffer.ts'
import type { CallQueue } from './call-queue.ts'
import {
  type CallContext,
  callImport,
  callWith,
  type Driver,
  entry,
  exactly,
  type Fixed,
  importLabel,
  reentrantSuspend,
  resolved,
  restoreStackPointer,
  spreading,
} from './calls.ts'
import { isThenable, placeholder, silence, toWasm } from './convert.ts'
import { fail, fileLabel } from './errors.ts'

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

export interface AsyncifyDriver extends Driver {
  /** After instantiation: finds the control exports and places the buffer (except `malloc`: first pause). */
  attach(
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory | undefined,
    option: { start: number | bigint; end: number | bigint } | undefined,
  ): void
  readonly buffer: UnwindBuffer | undefined
}

export function createAsyncifyDriver(ctx: CallContext, queue: CallQueue): AsyncifyDriver {
  const { meta } = ctx
  const file = fileLabel(meta.file)
  const { stackSize } = meta.buffer
  let control: AsyncifyControl
  let memory: WebAssembly.Memory
  /** Places the buffer at the first pause, when that is deferred (`malloc`). */
  let place: () => UnwindBuffer
  let buffer: UnwindBuffer | undefined
  /** The buffer came from options.buffer: overflow messages name it instead of stackSize. */
  let userBuffer = false
  /** A promise-returning call is executing wasm (not paused): only then may an import pause. */
  let running = false
  /** What the paused call waits for. */
  let pending: PromiseLike<unknown> | undefined
  /** Its outcome, held while the rewind travels back to the import. */
  let resumed = false
  let resumedOk = true
  let resumedValue: unknown

  const pointer = (address: number): number | bigint => (meta.memory.is64 ? BigInt(address) : address)

  const overflow = (name: string, used: number, poisoned: boolean, cause: unknown) => {
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

  /** After any failure: classify it, then put state, header and shadow stack back as they were. */
  const recover = (error: unknown, name: string): unknown => {
    let result = error
    const state = control ? control.asyncify_get_state() : 0
    if (buffer) {
      const cur = readCur(memory, meta, buffer)
      const trapped = state === UNWINDING && error instanceof WebAssembly.RuntimeError
      if (cur > buffer.end || (trapped && /out of bounds/i.test(error.message))) {
        // Bytes written: [start, cur) after a finished unwind (stop_unwind trapped on cur > end); after an
        // out-of-bounds trap mid-unwind, possibly everything up to the end of memory.
        const reached = trapped ? memory.buffer.byteLength : cur
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
      } else if (trapped) {
        result = fail(
          'ASYNCIFY_UNWIND_FAILED',
          `pause export "${name}" of ${file}`,
          `the program trapped while its stack was unwinding (${error.message}): a function on the paused stack was not instrumented`,
          'Check the ignoreIndirect, removeList and onlyList options',
          error,
        )
      }
      resetHeader(memory, meta, buffer)
    }
    // the header is valid again, so these cannot trap now
    if (state === UNWINDING) control.asyncify_stop_unwind()
    else if (state === REWINDING) control.asyncify_stop_rewind()
    restoreStackPointer(ctx)
    pending = resumedValue = undefined
    resumed = false
    return result
  }

  return {
    get buffer() {
      return buffer
    },

    attach(instance, mem, option) {
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
      memory = mem
      const { strategy } = meta.buffer
      userBuffer = !!option || strategy === 'user'
      if (strategy === 'malloc' && !option) {
        const alloc = instance.exports[meta.buffer.allocExport ?? '']
        place = () => allocate(alloc, mem, meta)
      } else if (userBuffer && !option && meta.inWasmRuntime) {
        // A module that drives Asyncify itself may never pause from JS: ask for a buffer only if it does.
        place = () => userRegion(option, mem, meta)
      } else {
        buffer = userBuffer ? userRegion(option, mem, meta) : placeAtTop(mem, meta, strategy === 'grow')
        resetHeader(mem, meta, buffer)
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
        if (!buffer) {
          try {
            buffer = place() // malloc lazily: the program may set its heap up first
          } catch (error) {
            silence(value)
            throw error
          }
          resetHeader(memory, meta, buffer)
        }
        // The header needs no reset here: a finished rewind leaves `cur` at `start` (Asyncify.cpp pops what
        // the unwind pushed), and recover() resets it after anything else.
        control.asyncify_start_unwind(pointer(buffer.header))
        pending = value
        return dummy // ignored: the stack unwinds from here
      }, count)
    },

    starter(exported, { name }, spread) {
      const raw = spread ? spreading(exported) : exported
      return (a, b, c, d) => {
        running = true
        let result: unknown
        try {
          result = raw(a, b, c, d)
        } catch (error) {
          running = false
          const reason = recover(error, name)
          queue.done()
          return Promise.reject(reason)
        }
        running = false
        // Arguments go in again on every rewind: the export re-runs its prologue before it skips ahead.
        if (pending) return queue.hold(resume(raw, name, result, a, b, c, d))
        // Most calls never pause: they cost one promise, like an async function.
        queue.done()
        return resolved(result)
      }
    },

    nested: callWith,
  }

  /** The rest of a call that paused: wait, rewind (call the export again), until it returns. */
  async function resume(
    raw: Fixed,
    name: string,
    first: unknown,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
  ) {
    let result = first
    try {
      while (pending) {
        const waitFor = pending
        pending = undefined
        const saved = buffer as UnwindBuffer
        const used = readCur(memory, meta, saved) - saved.start
        if (used > saved.peak) saved.peak = used
        control.asyncify_stop_unwind() // traps when cur > end: recover() reports the overflow
        try {
          resumedValue = await waitFor
          resumedOk = true
        } catch (value) {
          resumedValue = value
          resumedOk = false
        }
        resumed = true
        control.asyncify_start_rewind(pointer(saved.header))
        running = true
        try {
          result = raw(a, b, c, d)
        } finally {
          running = false
        }
      }
      return result
    } catch (error) {
      throw recover(error, name)
    } finally {
      queue.settled()
    }
  }
}
