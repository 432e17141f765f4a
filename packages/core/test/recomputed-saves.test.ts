// Which saved locals an unwind helper computes instead of receiving (src/binaryen/recomputed-saves.ts), on a
// body shaped like a fast copy: Asyncify's dead restore code, an unwind block and its exits. Running such
// builds against the original module is test/fuzz/differential.test.ts (its profile run).
import type binaryen from 'binaryen'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Recomputable } from '../src/binaryen/recomputed-saves.ts'
import type { SiteSaveApi } from '../src/binaryen/site-saves.ts'

const LOCALS = [
  'p0',
  'p1',
  'p2',
  'shifted',
  'maybe',
  'masked',
  'late',
  'seven',
  'derived',
  'index',
  'teed',
  'swapped',
] as const
const at = (name: (typeof LOCALS)[number]) => LOCALS.indexOf(name)
const bits = LOCALS.map((_, i) => 1n << BigInt(i))
const all = bits.reduce((a, b) => a | b, 0n)

const COPY = `(module
  (import "env" "pause" (func $pause))
  (global $__asyncify_state (mut i32) (i32.const 0))
  (memory 1)
  (func $f (param $p0 i32) (param $p1 i32) (param $p2 i64) (result i32)
    (local $shifted i32) (local $maybe i32) (local $masked i64) (local $late i32) (local $seven i32)
    (local $derived i32) (local $index i32) (local $teed i32) (local $swapped i32)
    ;; Asyncify's restore code, dead in a copy (the state reads "normal"): not a second set
    (if (i32.eq (i32.const 0) (i32.const 2)) (then (local.set $shifted (i32.load (i32.const 0)))))
    (local.set $shifted (i32.shl (local.get $p0) (i32.const 3)))
    (if (local.get $p1) (then (local.set $maybe (i32.add (local.get $p1) (i32.const 4)))))
    (local.set $masked (i64.and (local.get $p2) (i64.const 1)))
    (local.set $seven (i32.const 7))
    (local.set $derived (i32.add (local.get $shifted) (i32.const 1)))
    ;; reads $teed (set twice) before writing it: its old value is gone by the exit
    (local.set $teed (local.get $p1))
    (local.set $swapped (i32.sub (local.get $teed) (local.tee $teed (i32.add (local.get $p0) (i32.const 2)))))
    (local.set $index
      (block $__asyncify_unwind (result i32)
        (call $pause)
        (drop (br_if $__asyncify_unwind (i32.const 0) (i32.eq (global.get $__asyncify_state) (i32.const 1))))
        (local.set $p2 (i64.const 5))
        (loop $again
          (call $pause)
          (drop (br_if $__asyncify_unwind (i32.const 1) (i32.eq (global.get $__asyncify_state) (i32.const 1))))
          (local.set $late (i32.mul (local.get $p0) (local.get $p1)))
          (br_if $again (local.get $late)))
        (return (i32.add (local.get $maybe) (i32.add (local.get $late) (i32.add (local.get $seven)
          (i32.add (local.get $derived) (i32.wrap_i64 (local.get $masked)))))))))
    (i32.const 0)))`

/** The exits of COPY: `br_if $__asyncify_unwind (i32.const index) ...`. */
function exitIndexOf(api: typeof binaryen, expr: number, id: number): number | undefined {
  if (id !== api.BreakId) return undefined
  const branch = api.getExpressionInfo(expr) as binaryen.BreakInfo
  if (branch.name !== '__asyncify_unwind') return undefined
  return (api.getExpressionInfo(branch.value) as binaryen.ConstInfo).value as number
}

let api: typeof binaryen
let mod: binaryen.Module
let recomputable: Recomputable
beforeAll(async () => {
  api = (await import('binaryen')).default
  mod = api.parseText(COPY)
  const body = api.getFunctionInfo(mod.getFunction('f')).body
  recomputable = new Recomputable(api as unknown as SiteSaveApi, body, bits, (expr, id) =>
    exitIndexOf(api, expr, id),
  )
})
afterAll(() => mod.dispose())

const names = (locals: Set<number>) => [...locals].map((local) => LOCALS[local]).sort()

describe('saved locals an unwind helper computes', () => {
  it('takes locals set once, on every way to the exit, from locals not written since', () => {
    // maybe: set under an if; late: set after the exit; derived: made of shifted, which is computed too;
    // swapped: reads the old value of a local its own expression writes
    expect(names(recomputable.at(0, all))).toEqual(['masked', 'seven', 'shifted'])
    // in the loop, after p2 was written: masked no longer is what p2 gives, and p2 is the constant written;
    // late is not set on the first round
    expect(names(recomputable.at(1, all))).toEqual(['p2', 'seven', 'shifted'])
  })

  it('only from locals the exit saves anyway, and never from a local it computes', () => {
    const withoutP0 = all & ~bits[at('p0')]!
    // shifted needs p0, which is not saved there: it is passed, and derived is computed from it
    expect(names(recomputable.at(0, withoutP0))).toEqual(['derived', 'masked', 'seven'])
    // what is not saved is not computed either
    expect(names(recomputable.at(0, bits[at('p0')]! | bits[at('shifted')]!))).toEqual(['shifted'])
  })

  it("gives the helper the value's expression, its reads renumbered", () => {
    const value = recomputable.valueOf(mod, at('shifted'), (local) => local + 10)
    expect(api.emitText(value).replace(/\s+/g, ' ').trim()).toBe('(i32.shl (local.get $10) (i32.const 3) )')
  })
})
