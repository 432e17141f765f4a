// lazyExports: the named exports of the glue, usable before the module is instantiated.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { type AsyncifyInstance, instantiate, lazyExports } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { COMPUTE_ASYNC_IMPORTS, computeImports } from './helpers/env.ts'

let compute: FixtureBuild
beforeAll(async () => {
  compute = await buildWasm(fixture('compute.wasm'), { asyncImports: COMPUTE_ASYNC_IMPORTS })
})

const init = async (): Promise<AsyncifyInstance> => {
  const inst = await instantiate(
    { asyncify: compute.wasm, jspi: compute.jspiWasm },
    compute.meta,
    computeImports(),
  )
  await inst.exports._initialize()
  return inst
}

describe('lazyExports', () => {
  it('instantiates once, on the first call, and keeps the call order', async () => {
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
    expect(order).toEqual([1, 2, 3, 4])
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
