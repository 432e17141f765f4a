// Semantics 10: the Asyncify article's examples through this runtime.
// https://kripken.github.io/blog/wasm/2019/07/16/asyncify.html (reference/asyncify-article.txt)
import { beforeAll, describe, expect, it } from 'vitest'
import { instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild, fixture } from './helpers/build.ts'
import { AUTO_MODE } from './helpers/env.ts'

/** The article sleeps 2000 ms with an event at 1000 ms; tests scale time down, keeping the order. */
const SCALE = 0.01

let articlePure: FixtureBuild
let articleJs: FixtureBuild
let loop: FixtureBuild
beforeAll(async () => {
  articlePure = await buildWasm(fixture('article-pure.wasm'))
  // (memory 1 1): no room for the top region and no malloc, so the buffer goes where the article put it
  articleJs = await buildWasm(fixture('article-js.wasm'), { asyncImports: ['env.sleep'] })
  loop = await buildWasm(fixture('loop.wasm'), { asyncImports: ['env.sleep'] })
})

describe("the article's examples", () => {
  it('pure wasm: the module pauses and resumes itself (prints 1, 2, 3); the runtime stays out of the way', async () => {
    expect(articlePure.meta.inWasmRuntime).toBe(true)
    const printed: number[] = []
    const inst = await instantiate({ asyncify: articlePure.wasm }, articlePure.meta, {
      spectest: { print: (v: number) => printed.push(v) },
    })
    // its start function ran main(), slept, printed 2 while paused, then rewound into main()
    expect(printed).toEqual([1, 2, 3])
    expect(inst.mode).toBe('asyncify')
    expect(Object.keys(inst.exports)).toEqual([])
  })

  it('JS-driven: before, an event during the sleep, after', async () => {
    expect(articleJs.meta.memory.maximum).toBe(1)
    expect(articleJs.meta.buffer.allocExport).toBeUndefined()
    const output: string[] = []
    const inst = await instantiate(
      { asyncify: articleJs.wasm, jspi: articleJs.jspiWasm },
      articleJs.meta,
      {
        env: {
          before: () => {
            output.push('before')
            setTimeout(() => output.push('(an event that happens during the sleep)'), 1000 * SCALE)
          },
          sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms * SCALE)),
          after: () => {
            output.push('after')
          },
        },
      },
      // the article's own buffer: the data structure at 16, the stack up to 1024
      { buffer: { start: 16, end: 1024 } },
    )
    expect(inst.mode).toBe(AUTO_MODE)
    const done = inst.exports.main()
    expect(output).toEqual(['before']) // main is paused, JS runs on
    expect(await done).toBeUndefined()
    expect(output).toEqual(['before', '(an event that happens during the sleep)', 'after'])
  })

  it('C "infinite loop polling a timer": main() returns once the 500 ms timer fired', async () => {
    const printed: string[] = []
    let fired = false
    let memory: WebAssembly.Memory | undefined
    const started = performance.now()
    const inst = await instantiate({ asyncify: loop.wasm, jspi: loop.jspiWasm }, loop.meta, {
      env: {
        start_timer: () => {
          setTimeout(() => {
            fired = true
          }, 500)
        },
        check_timer: () => (fired ? 1 : 0),
        sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
        print: (ptr: number, len: number) => {
          printed.push(
            new TextDecoder().decode(new Uint8Array((memory as WebAssembly.Memory).buffer, ptr, len)),
          )
        },
      },
    })
    memory = inst.memory
    expect(inst.mode).toBe(AUTO_MODE)
    await inst.exports._initialize()
    const polls = await inst.exports.main()
    expect(printed).toEqual(['timer happened!'])
    expect(performance.now() - started).toBeGreaterThanOrEqual(490)
    // each poll really returned to the event loop: about 500 / 10 sleeps, not millions of spins
    expect(polls).toBeGreaterThan(10)
    expect(polls).toBeLessThanOrEqual(50)
    expect((inst.instance.exports.__asyncify_stack_pointer as WebAssembly.Global).value).toBe(66576) // balanced
  })
})
