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

port.on('message', async (request: TransformRequest) => {
  // Test hook: die the way an out-of-memory or a native crash would, without answering.
  if (request.fault === 'exit') process.exit(70)
  let response: TransformResponse
  try {
    const output = await transform(request.bytes, request.options, request.fault)
    response = { id: request.id, ok: true, output }
  } catch (error) {
    const failure =
      error instanceof TransformFailure
        ? error
        : new TransformFailure(
            'ASYNCIFY_BINARYEN_FAILED',
            error instanceof Error ? error.message : String(error),
            'Please report this with the .wasm file',
          )
    response = { id: request.id, ok: false, error: failure.toJSON(), restart: failure.restart }
  }
  const transfer = response.ok
    ? [response.output.wasm.buffer, ...(response.output.jspiWasm ? [response.output.jspiWasm.buffer] : [])]
    : []
  port.postMessage(response, transfer as ArrayBuffer[])
})
