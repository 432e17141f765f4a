/**
 * Worker thread entry: one transform at a time, requested by the pool. Binaryen is imported here only, so
 * the main thread never pays its load time or blocks on it.
 */

import { parentPort } from 'node:worker_threads'
import { TransformFailure } from '../errors.ts'
import type { TransformRequest, TransformResponse, WorkerPrint } from './protocol.ts'
import { transform } from './transform.ts'

const port = parentPort
if (!port) throw new Error('[unplugin-asyncify] the Binaryen worker must run in a worker thread')

// Forward stray output (e.g. an abort message printed outside a capture) instead of using the Worker
// `stdout`/`stderr` stream options, whose readers keep the parent's event loop alive even when unref'ed.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
    port.postMessage({ print: text } satisfies WorkerPrint)
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as typeof stream.write
}

/**
 * How an allocation failure surfaces: a C++ `std::bad_alloc` (read back with getExceptionMessage), emscripten's
 * abort when its memory cannot grow, or V8 refusing a buffer. After any of them the heap is in an unknown state.
 */
const ALLOCATION_FAILURE_RE =
  /std::bad_alloc|Cannot enlarge memory|Aborted\(OOM\)|out of memory|allocation failed|Maximum memory size exceeded/i

/** Test hook (`heap` fault): kept alive like Binaryen's grown heap, which is never given back. */
const held: WebAssembly.Memory[] = []

port.on('message', async (request: TransformRequest) => {
  // Test hook: die the way an out-of-memory or a native crash would, without answering.
  if (request.fault === 'exit') process.exit(70)
  if (request.fault === 'heap') held.push(new WebAssembly.Memory({ initial: 17_600 }))
  let response: TransformResponse
  const externalBytes = () => process.memoryUsage().external
  try {
    if (request.fault === 'alloc') throw new Error('std::bad_alloc (fault injected by a test)')
    const output = await transform(request.bytes, request.options, request.fault)
    response = { id: request.id, ok: true, output, externalBytes: externalBytes() }
  } catch (error) {
    let failure =
      error instanceof TransformFailure
        ? error
        : new TransformFailure(
            'ASYNCIFY_BINARYEN_FAILED',
            error instanceof Error ? error.message : String(error),
            'Please report this with the .wasm file',
          )
    const outOfMemory = ALLOCATION_FAILURE_RE.test(failure.message)
    if (outOfMemory) {
      failure = new TransformFailure(
        'ASYNCIFY_BINARYEN_FAILED',
        `Binaryen ran out of memory (${failure.message})`,
        'Check that the file is the module you meant; if it is, it is too large for Binaryen in a worker thread',
        failure.binaryenOutput,
      )
    }
    response = {
      id: request.id,
      ok: false,
      error: failure.toJSON(),
      restart: failure.restart || outOfMemory,
      externalBytes: externalBytes(),
    }
  }
  const transfer = response.ok
    ? [response.output.wasm.buffer, ...(response.output.jspiWasm ? [response.output.jspiWasm.buffer] : [])]
    : []
  port.postMessage(response, transfer as ArrayBuffer[])
})
