// The fixture app every bundler builds (Node tests) and the browser tests reuse. test() resolves to 'OK', or to
// the name of the first check that failed.

import initCalls from './calls-wasm-opt.wasm?asyncify&init'
import * as compute from './compute.wasm?asyncify'
import { add64, apply, heap_check, heap_init, run } from './compute.wasm?asyncify'
import init from './compute.wasm?asyncify&init'
import { callbackTarget, logged } from './wasm-env.js'

export async function test() {
  // A pause that really waits: run() sleeps 50 ms inside the wasm and returns x * 1000 + what sleep resolved to.
  const started = performance.now()
  if ((await run(50, 1)) !== 1050) return 'run(50, 1) === 1050'
  if (performance.now() - started < 45) return 'sleep really waited'

  // Calls made while another one is paused run at once, and each gets its own result.
  const results = await Promise.all([run(30, 1), run(10, 2), run(0, 3), apply(2, 7)])
  if (results.join() !== '1030,2010,3000,8') return 'Promise.all of paused calls'

  // i64 through an async import, as BigInt.
  if ((await add64(2n ** 40n, 5n)) !== 2n ** 40n + 5n) return 'add64 with BigInt'

  // The named exports are one lazily created instance; the namespace import sees the same functions.
  if (compute.run !== run) return 'namespace import has the named exports'
  await heap_init(4)
  if (logged.at(-1) !== 4) return 'env.log from importModules'
  if ((await compute.heap_check()) !== 22) return 'heap_check after heap_init(4)'

  // The init factory: every call is a new, independent instance, and init(imports) wins over the defaults.
  const first = await init()
  const second = await init({ env: { sleep: (ms) => Promise.resolve(ms * 2) } })
  if (first.instance === second.instance) return 'init() makes a new instance per call'
  if (first.module !== second.module) return 'init() reuses the compiled WebAssembly.Module'
  await first.exports.heap_init(10)
  await second.exports.heap_init(3)
  if ((await first.exports.heap_check()) !== 145) return 'first instance keeps its heap'
  if ((await second.exports.heap_check()) !== 12) return 'second instance keeps its heap'
  if ((await heap_check()) !== 22) return 'named-export instance is independent of init()'
  if ((await second.exports.run(5, 1)) !== 1010) return 'init(imports) overrides env.sleep'
  if ((await first.exports.run(5, 1)) !== 1005) return 'init() uses the importModules defaults'
  if (!(first.exports.memory instanceof WebAssembly.Memory)) return 'init() exposes the memory'

  // A stripped clang build (clang + wasm-opt: no names, an internal malloc, memory.grow), default placement:
  // overlapping calls that keep data on their C stacks, an async import calling back into the same instance,
  // and the heap growing while a call is paused.
  const calls = await initCalls()
  callbackTarget.current = calls.exports
  await calls.exports._initialize()
  const works = await Promise.all(Array.from({ length: 20 }, (_, i) => calls.exports.work(i, 5 + (i % 3))))
  if (works.some((v, i) => v !== i * 1000 + 5 + (i % 3))) return 'overlapping calls in a stripped module'
  if ((await calls.exports.nest(6)) !== 231) return 'an async import calling back into the same instance'
  const paused = calls.exports.deep(20, 10)
  await calls.exports.grow(2048)
  if ((await calls.exports.calloc_check(1024)) !== 0) return 'memory the program grew reads as zero'
  if ((await paused) !== 220) return 'a paused call survives the heap growing'
  return 'OK'
}

/** Which mechanism pauses the program here: 'jspi' where the engine has JSPI, else 'asyncify'. */
export async function mode() {
  return (await init()).mode
}
