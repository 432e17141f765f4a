// Hostile and unusual input at run time: import names that are Object.prototype members, a header the
// program scribbled over, and two instances on one shared memory that grows while calls are paused.
import { beforeAll, describe, expect, it } from 'vitest'
import { instantiate, type WasmMeta } from '../src/index.ts'
import { buildWasm, type FixtureBuild } from './helpers/build.ts'
import { later } from './helpers/env.ts'

/** Imports named like Object.prototype members; `run` calls them and pauses in `env.sleep`. */
const PROTO_WAT = `(module
  (import "constructor" "keys" (func $keys (param i32) (result i32)))
  (import "__proto__" "polluted" (func $polluted (param i32) (result i32)))
  (import "toString" "call" (func $call (param i32) (result i32)))
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (param $x i32) (result i32)
    (i32.add (call $sleep (call $keys (local.get $x)))
      (i32.add (call $polluted (local.get $x)) (call $call (local.get $x))))))`

/**
 * A shared memory, imported (what threads do), with a bump allocator: two instances of it share the memory
 * and each needs its own unwind buffer from `malloc` (no top region for shared memories).
 * - malloc(n): bumps a pointer kept at address 0 (starting at 1024).
 * - grow_then_sleep(pages, ms): memory.grow(pages), then sleep(ms) + memory.size.
 * - keep(x, ms): stores x at a fresh malloc'd address, sleeps, returns what is stored there.
 */
const SHARED_WAT = `(module
  (import "env" "memory" (memory 1 64 shared))
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (i32.atomic.load (i32.const 0)))
    (if (i32.eqz (local.get $p)) (then (local.set $p (i32.const 1024))))
    (i32.atomic.store (i32.const 0) (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -16)))
    (local.get $p))
  (func (export "grow_then_sleep") (param $pages i32) (param $ms i32) (result i32)
    (drop (memory.grow (local.get $pages)))
    (i32.add (call $sleep (local.get $ms)) (memory.size)))
  (func (export "keep") (param $x i32) (param $ms i32) (result i32)
    (local $p i32)
    (local.set $p (call $malloc (i32.const 16)))
    (i32.store (local.get $p) (local.get $x))
    (drop (call $sleep (local.get $ms)))
    (i32.load (local.get $p))))`

let proto: FixtureBuild
let shared: FixtureBuild
beforeAll(async () => {
  proto = await buildWasm(PROTO_WAT, { asyncImports: ['env.sleep'] })
  shared = await buildWasm(SHARED_WAT, { asyncImports: ['env.sleep'] })
})

describe('import names that are Object.prototype members', () => {
  it('cannot read or change a built-in; the user object is read by own properties only', async () => {
    const keys = Object.keys
    const objectToString = Object.prototype.toString
    // an own property named "__proto__" (JSON.parse makes one; an object literal would set the prototype)
    const user = JSON.parse('{"__proto__": {"polluted": 0}}') as Record<string, unknown>
    const protoImports = Object.getOwnPropertyDescriptor(user, '__proto__')?.value as Record<string, unknown>
    protoImports.polluted = (x: number) => x * 10
    Object.assign(user, {
      constructor: { keys: (x: number) => x + 1 },
      toString: { call: (x: number) => x * 100 },
    })
    user.env = { sleep: (ms: number) => later(1, ms) }
    const inst = await instantiate(
      { asyncify: proto.wasm, jspi: proto.jspiWasm },
      proto.meta,
      user as WebAssembly.Imports,
    )
    expect(await inst.exports.run(2)).toBe(3 + 20 + 200)
    expect(Object.keys).toBe(keys)
    expect(Object.prototype.toString).toBe(objectToString)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype.toString.call([])).toBe('[object Array]')
    // inherited properties never count as given: the module's "constructor" import is missing here
    const error = await instantiate({ asyncify: proto.wasm }, proto.meta, {
      env: user.env,
    } as WebAssembly.Imports).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('ASYNCIFY_IMPORT_MISSING')
    expect(Object.keys).toBe(keys)
  })
})

describe('a header the program scribbled over', () => {
  it('is written again before every pause: the next pause saves where it should', async () => {
    const named = await buildWasm(
      '(module (import "env" "sleep" (func $s (param i32) (result i32))) (memory (export "memory") 1) (func (export "f") (param i32) (result i32) (call $s (local.get 0))))',
    )
    for (const meta of [named.meta, { ...named.meta, buffer: { stackSize: 4096 } } as WasmMeta]) {
      const options = meta === named.meta ? {} : { buffer: { start: 1024, end: 1024 + 4096 } }
      const inst = await instantiate(
        { asyncify: named.wasm },
        meta,
        { env: { sleep: (ms: number) => later(1, ms) } },
        {
          ...options,
          jspi: 'off',
        },
      )
      expect(await inst.exports.f(1)).toBe(1)
      const b = inst.unwindBuffer!
      const memory = inst.memory as WebAssembly.Memory
      // an out-of-bounds store of the program (or JS) lands on the header: cur = 0, end = huge
      new Uint32Array(memory.buffer, b.header, 2).set([0, 0xfffffff0])
      const programStart = new Uint8Array(memory.buffer, 0, 64).slice()
      expect(await inst.exports.f(7)).toBe(7)
      expect(new Uint8Array(memory.buffer, 0, 64)).toEqual(programStart) // nothing saved at address 0
    }
  })
})

describe('two instances on one shared memory', () => {
  it('each gets its own malloc buffer; both pause and resume after the memory grew (views made again)', async () => {
    expect(shared.meta.memory.shared).toBe(true)
    expect(shared.meta.buffer.top).toBeUndefined()
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true })
    const imports = { env: { memory, sleep: (ms: number) => later(ms, ms) } }
    const meta = { ...shared.meta, buffer: { ...shared.meta.buffer, stackSize: 1024 } }
    const a = await instantiate({ asyncify: shared.wasm }, meta, imports, { jspi: 'off' })
    const b = await instantiate({ asyncify: shared.wasm }, meta, imports, { jspi: 'off' })
    // first pauses place both buffers (malloc), before any growth
    expect(await Promise.all([a.exports.keep(11, 1), b.exports.keep(22, 1)])).toEqual([11, 22])
    expect(a.unwindBuffer?.placement).toBe('malloc')
    expect(a.unwindBuffer?.header).not.toBe(b.unwindBuffer?.header)
    // grow while paused, from the program and from JS; pause again after the growth
    const grown = Promise.all([a.exports.grow_then_sleep(2, 20), b.exports.keep(33, 10)])
    memory.grow(1)
    expect(await grown).toEqual([20 + 4, 33])
    expect(memory.buffer.byteLength).toBe(4 * 65536)
    expect(
      await Promise.all([a.exports.keep(44, 2), b.exports.grow_then_sleep(1, 3), a.exports.keep(55, 1)]),
    ).toEqual([44, 3 + 5, 55])
  })
})
