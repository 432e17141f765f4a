// Semantics 1: an async import may return a promise; wasm pauses and resumes with the settled value,
// converted to the import's result type. A plain value returns without unwinding.
import { beforeAll, describe, expect, it } from 'vitest'
import { instantiate } from '../src/index.ts'
import { buildWasm, type FixtureBuild } from './helpers/build.ts'
import { AUTO_MODE, later } from './helpers/env.ts'

const TYPED_WAT = `(module
  (import "env" "get_i32" (func $get_i32 (param i32) (result i32)))
  (import "env" "get_i64" (func $get_i64 (param i64) (result i64)))
  (import "env" "get_f32" (func $get_f32 (result f32)))
  (import "env" "get_f64" (func $get_f64 (result f64)))
  (import "env" "wait" (func $wait (param i32)))
  (memory (export "memory") 1)
  (func (export "i32") (param $x i32) (result i32) (call $get_i32 (local.get $x)))
  (func (export "i64") (param $x i64) (result i64) (call $get_i64 (local.get $x)))
  (func (export "f32") (result f32) (call $get_f32))
  (func (export "f64") (result f64) (call $get_f64))
  ;; a local that lives across the pause must come back intact
  (func (export "void") (param $x i32) (result i32)
    (local $y i32)
    (local.set $y (i32.mul (local.get $x) (i32.const 3)))
    (call $wait (local.get $x))
    (i32.add (local.get $y) (i32.const 1)))
)`

let built: FixtureBuild
beforeAll(async () => {
  built = await buildWasm(TYPED_WAT)
})

/** Imports whose results come from `value`: a promise of it when `async`, else the value itself. */
function typedImports(value: (name: string, arg?: unknown) => unknown, async: boolean, calls: string[] = []) {
  const make = (name: string) => (arg?: unknown) => {
    calls.push(name)
    const v = value(name, arg)
    return async ? later(2, v) : v
  }
  return {
    env: {
      get_i32: make('get_i32'),
      get_i64: make('get_i64'),
      get_f32: make('get_f32'),
      get_f64: make('get_f64'),
      wait: make('wait'),
    },
  }
}

describe('async imports', () => {
  it('pause and resume with the settled value converted to i32 (|0), i64 (BigInt), f32, f64, void', async () => {
    const results: Record<string, unknown> = {
      get_i32: 2 ** 32 + 7.9, // ToInt32: 7
      get_i64: 5, // a number for an i64 import becomes 5n
      get_f32: 1.1, // rounded to f32
      get_f64: 1.1,
      wait: 'ignored',
    }
    const calls: string[] = []
    const inst = await instantiate(
      { asyncify: built.wasm, jspi: built.jspiWasm },
      built.meta,
      typedImports((n) => results[n], true, calls),
    )
    expect(inst.mode).toBe(AUTO_MODE)
    const e = inst.exports
    expect(await e.i32(1)).toBe(7)
    expect(await e.i64(1n)).toBe(5n)
    expect(await e.f32()).toBe(Math.fround(1.1))
    expect(await e.f64()).toBe(1.1)
    expect(await e.void(4)).toBe(13)
    expect(calls).toEqual(['get_i32', 'get_i64', 'get_f32', 'get_f64', 'wait'])
    if (inst.mode === 'asyncify') expect(inst.unwindBuffer?.peak).toBeGreaterThan(0)
  })

  it('accept a BigInt for i32/f64 results and negative i64 values', async () => {
    const results: Record<string, unknown> = { get_i32: -3n, get_i64: -(2n ** 62n), get_f32: 2n, get_f64: 3n }
    const inst = await instantiate(
      { asyncify: built.wasm, jspi: built.jspiWasm },
      built.meta,
      typedImports((n) => results[n], true),
    )
    expect(await inst.exports.i32(0)).toBe(-3)
    expect(await inst.exports.i64(0n)).toBe(-(2n ** 62n))
    expect(await inst.exports.f32()).toBe(2)
    expect(await inst.exports.f64()).toBe(3)
  })

  it('return plain values synchronously, without unwinding', async () => {
    const inst = await instantiate(
      { asyncify: built.wasm, jspi: built.jspiWasm },
      built.meta,
      typedImports(
        (name, arg) =>
          name === 'get_i64' ? (arg as bigint) + 1n : name === 'get_i32' ? (arg as number) * 2 : 0.5,
        false,
      ),
    )
    expect(await inst.exports.i32(21)).toBe(42)
    expect(await inst.exports.i64(2n ** 63n - 2n)).toBe(2n ** 63n - 1n)
    expect(await inst.exports.f64()).toBe(0.5)
    expect(await inst.exports.void(1)).toBe(4)
    // nothing was ever saved to the unwind buffer
    if (inst.mode === 'asyncify') expect(inst.unwindBuffer?.peak).toBe(0)
  })

  it('accept any thenable, not only native promises', async () => {
    const thenable = (v: unknown) => ({
      // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable is the point of this test
      then: (resolve: (x: unknown) => void) => setTimeout(() => resolve(v), 1),
    })
    const inst = await instantiate({ asyncify: built.wasm, jspi: built.jspiWasm }, built.meta, {
      env: {
        get_i32: (x: number) => thenable(x + 1),
        get_i64: () => 0n,
        get_f32: () => 0,
        get_f64: () => 0,
        wait: () => {},
      },
    })
    expect(await inst.exports.i32(41)).toBe(42)
  })

  it('work the same with the Asyncify mode forced', async () => {
    const inst = await instantiate(
      { asyncify: built.wasm, jspi: built.jspiWasm },
      built.meta,
      typedImports(() => 9, true),
      { jspi: 'off' },
    )
    expect(inst.mode).toBe('asyncify')
    expect(await inst.exports.i32(0)).toBe(9)
    expect(await inst.exports.i64(0n)).toBe(9n)
    expect(await inst.exports.void(2)).toBe(7)
  })
})
