// lazyExports: the named exports of the glue, usable before the module is instantiated.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { type AsyncifyInstance, instantiate, lazyExports } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { COMPUTE_ASYNC_IMPORTS, computeImports } from './helpers/env.ts'

let compute: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
})

/** sleep(ms) calls, in the order the program made them. */
const slept: number[] = []
const init = async (): Promise<AsyncifyInstance> => {
  const imports = computeImports()
  const sleep = (imports.env as Record<string, (ms: number) => Promise<number>>).sleep!
  const inst = await instantiate({ asyncify: compute.wasm, jspi: compute.jspiWasm }, compute.meta, {
    env: {
      ...imports.env,
      sleep: (ms: number) => {
        slept.push(ms)
        return sleep(ms)
      },
    },
  })
  await inst.exports._initialize()
  return inst
}

describe('lazyExports', () => {
  it('instantiates once, on the first call; the calls made meanwhile start in call order', async () => {
    slept.length = 0
    const spy = vi.fn(init)
    const { run, deep, sum_to, memory } = lazyExports(compute.meta, spy)
    expect(spy).not.toHaveBeenCalled()
    expect(memory).toBeUndefined() // only functions
    expect(run.name).toBe('run')
    const order: number[] = []
    const settled = (n: number) => (v: number) => {
      order.push(n)
      return v
    }
    const results = await Promise.all([
      run(20, 1).then(settled(1)),
      run(1, 2).then(settled(2)),
      deep(4).then(settled(3)),
      sum_to(4).then(settled(4)),
    ])
    expect(results).toEqual([1020, 2001, 10, 10])
    expect(slept).toEqual([20, 1, 0]) // started in call order, and overlapped once running
    expect([order[0], order[3]]).toEqual([4, 1]) // sum_to never pauses; run(20) waits longest
    expect(spy).toHaveBeenCalledTimes(1)
    expect(await run(0, 3)).toBe(3000)
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('call the instance directly once it exists, but never ahead of a call still waiting for it', async () => {
    const log: number[] = []
    let resolveInit: (inst: AsyncifyInstance) => void = () => {}
    const created = new Promise<AsyncifyInstance>((resolve) => {
      resolveInit = resolve
    })
    const { heap_init, sum_to } = lazyExports(compute.meta, () => created)
    expect(sum_to.length).toBe(1)
    const first = heap_init(5) // waits for the instance
    // This reaction runs after the instance is known but before heap_init(5) got its turn: heap_init(7)
    // must still run second.
    const second = created.then(() => heap_init(7))
    const inst = await instantiate(
      { asyncify: compute.wasm, jspi: compute.jspiWasm },
      compute.meta,
      computeImports(log),
    )
    await inst.exports._initialize()
    resolveInit(inst)
    await Promise.all([first, second])
    expect(log).toEqual([5, 7])
    // From now on a call reaches wasm synchronously: the import ran before the promise was awaited.
    const third = heap_init(2)
    expect(log).toEqual([5, 7, 2])
    await third
    expect(await sum_to(4)).toBe(10)
  })

  it('rejects every pending call when instantiation fails, and retries on the next call', async () => {
    let attempt = 0
    const flaky = vi.fn(() => (++attempt === 1 ? Promise.reject(new Error('offline')) : init()))
    const { run, deep } = lazyExports(compute.meta, flaky)
    const failed = await Promise.allSettled([run(1, 1), deep(2)])
    expect(failed.map((r) => r.status === 'rejected' && r.reason.message)).toEqual(['offline', 'offline'])
    expect(await deep(3)).toBe(6)
    expect(flaky).toHaveBeenCalledTimes(2)
  })
})
