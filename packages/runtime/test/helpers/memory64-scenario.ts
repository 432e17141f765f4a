/**
 * The memory64 scenario, runnable in-process (engines with memory64) or in a Node 26 child
 * (`node helpers/memory64-scenario.ts` prints its JSON result). Node 20 has memory64 only behind a flag.
 */
import { instantiate } from '../../src/index.ts'
import { buildWasm, fixture } from './build.ts'

export interface Memory64Result {
  mode: string
  results: number[]
  stored: number
  header: string[]
  buffer: { start: number; end: number; guardEnd: number } | undefined
  pages: number
  rejected: string
  afterRejection: number
}

export const MEMORY64_PROBE: Uint8Array = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 4, 1])

export async function memory64Scenario(jspi: 'off' | 'auto'): Promise<Memory64Result> {
  const built = await buildWasm(fixture('memory64.wasm'))
  let fail = false
  const inst = await instantiate(
    { asyncify: built.wasm, jspi: built.jspiWasm },
    built.meta,
    {
      env: {
        sleep: (ms: number) =>
          new Promise((resolve, reject) =>
            setTimeout(() => (fail ? reject(new Error('no')) : resolve(ms)), 1),
          ),
      },
    },
    { jspi },
  )
  const e = inst.exports
  const results = [await e.store_after(64n, 7), await e.store_after(128n, 9)]
  fail = true
  const rejected = await e.store_after(256n, 1).then(
    () => 'resolved',
    (error: Error) => error.message,
  )
  fail = false
  const afterRejection = await e.store_after(72n, 11)
  const memory = inst.memory as WebAssembly.Memory
  const b = inst.unwindBuffer
  const view = new DataView(memory.buffer)
  return {
    mode: inst.mode,
    results,
    stored: view.getInt32(64, true) + view.getInt32(128, true) + view.getInt32(72, true),
    header: b ? [view.getBigUint64(b.header, true), view.getBigUint64(b.header + 8, true)].map(String) : [],
    buffer: b && { start: b.start, end: b.end, guardEnd: b.guardEnd },
    pages: memory.buffer.byteLength / 65536,
    rejected,
    afterRejection,
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '-')) {
  const modes = ['off', 'auto'] as const
  const out = []
  for (const jspi of modes) out.push(await memory64Scenario(jspi))
  console.log(JSON.stringify(out))
}
