// Semantics 2: every function export returns a Promise of its result (i64 as BigInt, multi-value as an
// array); instance.exports stays raw and synchronous; arguments are passed again on rewind.
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { type AsyncifyInstance, AsyncifyRuntimeError, instantiate, type Promisified } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE, COMPUTE_ASYNC_IMPORTS, computeImports, later } from './helpers/env.ts'

const ALIAS_WAT = `(module
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $counter (export "counter") (mut i32) (i32.const 5))
  (func $inc (export "inc") (export "increment") (param $by i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (call $sleep (local.get $by))))
    (global.get $counter))
)`

// Six parameters: more than the four the runtime passes without an array. `mix` pauses in wait6 with six
// arguments, then weighs its own six again (the rewind must pass them), and calls note/2 that does not pause.
const ARITY_WAT = `(module
  (import "env" "wait6" (func $wait6 (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "note" (func $note (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "mix") (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $e i32) (param $f i32)
    (result i32)
    (local $w i32)
    (local.set $w (call $wait6 (local.get $a) (local.get $b) (local.get $c) (local.get $d) (local.get $e)
      (local.get $f)))
    (call $note (local.get $a) (local.get $f))
    (i32.add (local.get $w)
      (i32.add (i32.mul (local.get $a) (i32.const 100000))
        (i32.add (i32.mul (local.get $c) (i32.const 1000)) (local.get $f)))))
  (func (export "pair") (param $x i32) (param $y i32) (result i32)
    (i32.sub (local.get $x) (local.get $y)))
)`

let compute: FixtureBuild
let multi: FixtureBuild
let alias: FixtureBuild
let arity: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
  multi = await buildWasm(fixture('multi-value.wasm'))
  alias = await buildWasm(ALIAS_WAT)
  arity = await buildWasm(ARITY_WAT, { asyncImports: ['env.wait6'] })
})

describe('exports', () => {
  it('return promises of their results; i64 as BigInt, also for i64 parameters that pause', async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm, jspi: compute.jspiWasm },
      compute.meta,
      computeImports(),
    )
    expect(inst.mode).toBe(AUTO_MODE)
    const e = inst.exports
    await e._initialize()
    const pending = e.add64(2n ** 40n, 3n)
    expect(pending).toBeInstanceOf(Promise)
    // get_i64(3n) pauses and resolves to 6n; the rewind calls add64 again with the same BigInts
    expect(await pending).toBe(2n ** 40n + 6n)
    expect(await e.add64(2n ** 62n, 2n ** 62n)).toBe(BigInt.asIntN(64, 2n ** 62n * 3n)) // i64 wraps
    // arguments the engine cannot convert reject the call (they throw before wasm runs) and free the queue
    await expect(e.add64(1, 2n)).rejects.toThrow(TypeError)
    await expect(Promise.all([e.add64(1n, 2n), e.add64(2n, 3)])).rejects.toThrow(TypeError)
    expect(await e.add64(1n, 1n)).toBe(3n)
    // a non-pausing export is still a promise
    const sum = e.sum_to(100)
    expect(sum).toBeInstanceOf(Promise)
    expect(await sum).toBe(5050)
  })

  it('keep instance.exports raw and synchronous for exports that cannot pause', async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm, jspi: compute.jspiWasm },
      compute.meta,
      computeImports(),
    )
    // the build knows which exports can pause
    expect(compute.meta.exports.filter((e) => e.suspending === false).map((e) => e.name)).toEqual(
      expect.arrayContaining(['sum_to', 'heap_check']),
    )
    const raw = inst.instance.exports as Record<string, (...args: number[]) => number>
    raw._initialize()
    expect(raw.sum_to(10)).toBe(55)
    expect(await inst.exports.run(1, 2)).toBe(2001)
    expect(raw.heap_check()).toBe(0)
  })

  it('refuse to pause in a raw (synchronous) call', async () => {
    const inst = await instantiate(
      { asyncify: compute.wasm, jspi: compute.jspiWasm },
      compute.meta,
      computeImports(),
    )
    const raw = inst.instance.exports as Record<string, (...args: number[]) => number>
    raw._initialize()
    let error: unknown
    try {
      raw.run(1, 2)
    } catch (e) {
      error = e
    }
    if (inst.mode === 'asyncify') {
      expect(error).toBeInstanceOf(AsyncifyRuntimeError)
      expect((error as AsyncifyRuntimeError).code).toBe('ASYNCIFY_SYNC_SUSPEND')
    } else {
      // JSPI: the engine refuses a Suspending import outside WebAssembly.promising
      expect((error as Error).constructor.name).toBe('SuspendError')
    }
    expect(await inst.exports.run(1, 2)).toBe(2001)
  })

  it('return multi-value results as an array', async () => {
    const inst = await instantiate({ asyncify: multi.wasm, jspi: multi.jspiWasm }, multi.meta, {
      env: { sleep: (x: number) => later(1, x) },
    })
    expect(await inst.exports.pair(5)).toEqual([5, 4294967301n])
  })

  it('keep one wrapper per function: stable identity, aliases share it, non-functions pass through', async () => {
    const inst = await instantiate({ asyncify: alias.wasm, jspi: alias.jspiWasm }, alias.meta, {
      env: { sleep: (x: number) => later(1, x) },
    })
    const e = inst.exports
    expect(e.inc).toBe(e.inc)
    expect(e.increment).toBe(e.inc)
    expect(e.inc.name).toBe('inc')
    expect(Object.isFrozen(e)).toBe(true)
    expect(e.memory).toBe(inst.instance.exports.memory)
    expect(e.counter).toBeInstanceOf(WebAssembly.Global)
    expect(await e.inc(2)).toBe(7)
    expect(await e.increment(3)).toBe(10)
    expect(e.counter.value).toBe(10)
    // only the user's exports: no asyncify_* control functions
    expect(Object.keys(e).sort()).toEqual(['counter', 'inc', 'increment', 'memory'])
  })

  it('take any number of arguments; imports get exactly the ones wasm passes', async () => {
    const seen: unknown[][] = []
    const inst = await instantiate({ asyncify: arity.wasm, jspi: arity.jspiWasm }, arity.meta, {
      env: {
        wait6: (...args: number[]) => {
          seen.push(args)
          return later(
            1,
            args.reduce((sum, x) => sum + x, 0),
          )
        },
        note(...args: number[]) {
          seen.push(args)
        },
      },
    })
    expect(inst.mode).toBe(AUTO_MODE)
    const e = inst.exports
    expect([e.mix.length, e.pair.length]).toEqual([6, 2])
    // 21 from wait6, then a, c and f again after the rewind
    expect(await e.mix(1, 2, 3, 4, 5, 6)).toBe(21 + 100000 + 3000 + 6)
    expect(seen).toEqual([
      [1, 2, 3, 4, 5, 6],
      [1, 6],
    ])
    // concurrent calls with many arguments keep their own arguments through the queue
    const results = await Promise.all([e.mix(2, 0, 0, 0, 0, 1), e.mix(3, 0, 5, 0, 0, 0), e.pair(9, 4)])
    expect(results).toEqual([3 + 200001, 8 + 305000, 5])
    // like raw wasm: missing arguments are undefined (0 for i32), extra ones are ignored
    expect(await e.pair(7)).toBe(7)
    expect(await (e.pair as (...args: number[]) => Promise<number>)(7, 2, 99, 99, 99)).toBe(5)
  })

  it('type exports as promise-returning functions', () => {
    type Raw = {
      run(ms: number, x: number): number
      add64(a: bigint, b: bigint): bigint
      memory: WebAssembly.Memory
    }
    expectTypeOf<Promisified<Raw>['run']>().toEqualTypeOf<(ms: number, x: number) => Promise<number>>()
    expectTypeOf<Promisified<Raw>['add64']>().returns.toEqualTypeOf<Promise<bigint>>()
    expectTypeOf<AsyncifyInstance<Raw>['exports']['memory']>().toEqualTypeOf<WebAssembly.Memory>()
    expectTypeOf<AsyncifyInstance['mode']>().toEqualTypeOf<'asyncify' | 'jspi'>()
  })
})
