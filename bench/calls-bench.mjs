// The memory model and overlapping calls, run by run.mjs under Node 20 and again under Node 26 (JSPI). Reads
// the binaries run.mjs prepared (argv[2]) and prints one JSON object. Every contender is checked for the right
// result. `rss <stackSize>` instead measures the resident memory that untouched region pages cost.
import { instantiate } from '@unplugin-asyncify/runtime'
import { compare, median, ratio } from './lib/measure.mjs'
import { check, loadPrepared } from './lib/prepared.mjs'

const dir = process.argv[2]
const quick = process.argv.includes('--quick')
const jspi = typeof WebAssembly.Suspending === 'function'
const load = (name) => loadPrepared(dir, name)
const later = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms))
const callsImports = () => {
  let exports
  const imports = {
    env: {
      sleep: (ms) => later(ms, ms),
      callback: async (n, slot) => {
        await null // after the first await the calling export is paused: nest() below is a call of its own
        const value = await exports.nest(n - 1)
        await exports.fill(slot, n * 10)
        return value
      },
    },
  }
  return { imports, bind: (inst) => (exports = inst.exports) }
}
async function callsInstance(mod, mode) {
  const { imports, bind } = callsImports()
  const inst = await instantiate({ asyncify: mod.wasm, jspi: mod.jspiWasm }, mod.meta, imports, {
    jspi: mode,
  })
  bind(inst)
  await inst.exports._initialize()
  return inst
}

if (process.argv[3] === 'rss') {
  // Resident memory of 40 instances that each paused once, with the region sized by argv[4]: only the pages
  // a pause wrote should count, whatever stackSize reserves.
  const mod = load('calls-stripped')
  const meta = { ...mod.meta, buffer: { ...mod.meta.buffer, stackSize: Number(process.argv[4]) } }
  const keep = []
  const before = process.memoryUsage().rss
  for (let i = 0; i < 40; i++) {
    const { imports, bind } = callsImports()
    const inst = await instantiate({ asyncify: mod.wasm }, meta, imports, { jspi: 'off' })
    bind(inst)
    await inst.exports._initialize()
    check('rss work', await inst.exports.work(i, 0), i * 1000)
    keep.push(inst)
  }
  const pages = keep[0].memory.buffer.byteLength / 65536
  console.log(JSON.stringify({ kbPerInstance: (process.memoryUsage().rss - before) / 40 / 1024, pages }))
  process.exit(0)
}

const out = { node: process.version, jspi }
const modes = jspi ? ['jspi', 'off'] : ['off']

// (e) where the unwind buffer lives: the region at the top of memory (default) vs the module's malloc (the
// placement for shared memories), on compute.wasm. Pause + resume on a resolved promise, and a call that does
// not pause.
{
  const mod = load('compute-default')
  const resolvedImports = {
    env: { sleep: (ms) => Promise.resolve(ms), log: () => {}, yield_now: () => 0, get_i64: (v) => v },
  }
  const mallocMeta = {
    ...mod.meta,
    buffer: { stackSize: mod.meta.buffer.stackSize, allocExport: mod.meta.buffer.allocExport },
  }
  const top = await instantiate({ asyncify: mod.wasm }, mod.meta, resolvedImports, { jspi: 'off' })
  const malloc = await instantiate({ asyncify: mod.wasm }, mallocMeta, resolvedImports, { jspi: 'off' })
  for (const inst of [top, malloc]) await inst.exports._initialize()
  check('top pause', await top.exports.apply(2, 1), 2)
  check('malloc pause', await malloc.exports.apply(2, 1), 2)
  check('top placement', top.unwindBuffer.placement, 'top')
  check('malloc placement', malloc.unwindBuffer.placement, 'malloc')
  const pause = await compare(
    { top: (i) => top.exports.apply(2, i & 1023), malloc: (i) => malloc.exports.apply(2, i & 1023) },
    { iterations: quick ? 2_000 : 20_000, rounds: quick ? 3 : 15 },
  )
  const call = await compare(
    { top: () => top.exports.sum_to(10), malloc: () => malloc.exports.sum_to(10) },
    { iterations: quick ? 10_000 : 100_000, rounds: quick ? 3 : 15 },
  )
  // the program's own memory.grow runs through the build's helper when the region is hidden from it
  const grows = await compare(
    { top: () => top.exports.heap_init(2000), malloc: () => malloc.exports.heap_init(2000) },
    { iterations: quick ? 20 : 200, rounds: quick ? 3 : 11 },
  )
  check('heap after growth', await top.exports.heap_check(), (2000 * 5999) / 2)
  out.placement = {
    pauseNs: pause.ns,
    pauseTopVsMalloc: pause.ratio('top', 'malloc'),
    callTopVsMalloc: call.ratio('top', 'malloc'),
    heapTopVsMalloc: grows.ratio('top', 'malloc'),
  }
}

// (f) overlapping calls: 100 calls of work(i, 10) paused at once (each keeps 64 ints on its C stack and a
// heap block it checks after resuming) vs one call alone. Stripped clang build (one C stack taken in turns)
// and the build with names (the runtime gives overlapping calls stacks of their own through malloc).
{
  out.overlap = {}
  for (const name of ['calls-stripped', 'calls-named']) {
    const mod = load(name)
    for (const mode of modes) {
      const inst = await callsInstance(mod, mode)
      const e = inst.exports
      check('first call', await e.work(0, 0), 0)
      const pagesBefore = inst.memory.buffer.byteLength / 65536
      const single = []
      const hundred = []
      for (let round = 0; round < (quick ? 2 : 9); round++) {
        let t = performance.now()
        check('one call', await e.work(round, 10), round * 1000 + 10)
        single.push(performance.now() - t)
        t = performance.now()
        const all = await Promise.all(Array.from({ length: 100 }, (_, i) => e.work(i, 10)))
        hundred.push(performance.now() - t)
        for (const [i, v] of all.entries()) check(`work(${i}) of 100`, v, i * 1000 + 10)
      }
      check('nest', await e.nest(10), 605)
      out.overlap[`${name}-${inst.mode}`] = {
        stack: inst.shadowStack,
        singleMs: median(single),
        hundredMs: median(hundred),
        ratio: ratio(median(hundred), median(single)),
        unwindBytesPerPause: inst.unwindBuffer?.peak,
        // memory the program's heap gave for stacks of their own, per paused call (0 with one shared stack)
        heapBytesPerPausedCall: ((inst.memory.buffer.byteLength / 65536 - pagesBefore) * 65536) / 100,
      }
    }
  }
}

console.log(JSON.stringify(out))
