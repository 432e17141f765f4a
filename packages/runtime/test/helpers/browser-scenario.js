// Runs in each browser engine, on the page and in a module worker (browser.test.ts serves it next to the
// built runtime as /runtime.mjs). Returns plain JSON so the test can compare it.
import { bufferFacts } from '/buffer-facts.js'
import { instantiate } from '/runtime.mjs'

// absolute URLs: in the blob: worker, relative ones would resolve against the blob
const at = (path) => new URL(path, import.meta.url)
const later = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms))

export async function scenario(jspi) {
  const meta = await (await fetch(at('/compute.json'))).json()
  let sleepOutcome = (ms) => later(ms, ms)
  let logResult = () => undefined
  const inst = await instantiate(
    // an URL (served as application/wasm: streaming) and a Response (octet-stream: bytes fallback)
    { asyncify: at('/compute.wasm'), jspi: () => fetch(at('/compute-jspi.wasm')) },
    meta,
    {
      env: {
        sleep: (ms) => sleepOutcome(ms),
        log: () => logResult(),
        yield_now: () => 0,
        get_i64: (v) => later(1, v * 2n),
      },
    },
    { jspi },
  )
  const e = inst.exports
  await e._initialize()
  await e.heap_init(20)
  const out = { mode: inst.mode }
  out.concurrent = await Promise.all([e.run(50, 1), e.run(10, 0), e.deep(10)])
  out.add64 = String(await e.add64(2n ** 40n, 3n))
  out.fannkuch = await e.fannkuch(6)

  const reason = new Error('network down')
  sleepOutcome = () => later(1, 0).then(() => Promise.reject(reason))
  out.sameError = (await e.run(1, 1).catch((error) => error)) === reason
  sleepOutcome = (ms) => later(ms, ms)

  // env.log is not an async import: a promise from it is a configuration error (heap_init logs last)
  logResult = () => later(1, 0)
  out.notAsync = (await e.heap_init(20).catch((error) => error)).code
  logResult = () => undefined

  out.after = await e.run(2, 3)
  out.heap = await e.heap_check()
  out.buffer = bufferFacts(inst)
  return out
}

/**
 * Asyncify only: deep(5000) overflows an undersized buffer far past its end. The default placement, the region
 * at the top of memory, takes it (a trap at the end of memory) and the same instance keeps working; the malloc
 * fallback (what a build without a top region gets) is overrun past its guard and poisons the instance.
 */
export async function overflow() {
  const meta = await (await fetch(at('/compute.json'))).json()
  const overflowWith = async (buffer) => {
    const inst = await instantiate(
      { asyncify: fetch(at('/compute.wasm')) },
      { ...meta, buffer },
      {
        env: { sleep: (ms) => later(1, ms), log: () => {}, yield_now: () => 0, get_i64: (v) => v },
      },
    )
    await inst.exports._initialize()
    const first = await inst.exports.deep(5000).catch((error) => error.code)
    const next = await inst.exports.deep(10).catch((error) => error.code)
    return [first, next, inst.unwindBuffer?.placement]
  }
  return {
    top: await overflowWith({ ...meta.buffer, stackSize: 1024 }),
    malloc: await overflowWith({ stackSize: 1024, allocExport: meta.buffer.allocExport }),
  }
}
