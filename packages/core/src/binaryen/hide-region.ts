/**
 * The runtime's region at the top of linear memory, hidden from the program. The runtime grows memory after
 * instantiation and keeps the top `reserved` bytes for the Asyncify unwind data: an overflow then traps at the
 * end of memory instead of writing program data, whatever the program does with its heap.
 *
 * A program that sizes or grows memory itself (every `malloc` that calls `sbrk`) must not see those bytes, so
 * its `memory.size` and `memory.grow` become calls to two helpers:
 * - size: `memory.size - reserved / 64 KiB`;
 * - grow: grows the real memory, which moves the region up by the same number of pages, and zeroes the part of
 *   the old region that the program now gets (fresh pages read as zero in wasm; the runtime keeps in `dirty`
 *   how many bytes from the region's start may hold old unwind data, so untouched pages are never written).
 * The region holds no live data while wasm code runs (the runtime moves a paused call's data out before it
 * lets any code run), so moving it needs no copy. With `reserved` at 0 (before the runtime placed the region,
 * or in a start function) both helpers behave exactly like the instructions they replace.
 */

import type binaryen from 'binaryen'
import { replaceExpressions, UnwalkableExpression, type WalkApi } from './expression-walk.ts'

type Module = binaryen.Module
type Ref = binaryen.ExpressionRef

export const RESERVED_EXPORT = '__asyncify_reserved'
export const DIRTY_EXPORT = '__asyncify_dirty'

/** The binaryen.js namespace members used here. */
export type HideRegionApi = WalkApi & {
  i32: number
  i64: number
  none: number
  MemorySizeId: number
  MemoryGrowId: number
  MemoryGrow: { getDelta(expr: Ref): Ref }
  Function: { getBody(fn: number): Ref; setBody(fn: number, body: Ref): void }
  emitText(expr: Ref): string
}

export interface HiddenRegion {
  /** Export name of the mutable global holding the reserved bytes (the runtime sets it). */
  reservedExport: string
  /** Export name of the mutable global holding how many region bytes may be non-zero. */
  dirtyExport: string
}

/** A name that no global/function/export of `mod` uses yet. */
function fresh(taken: (name: string) => unknown, base: string): string {
  let name = base
  for (let i = 1; taken(name); i++) name = `${base}_${i}`
  return name
}

/** binaryen.js 132 takes one BigInt for an i64 constant (its d.ts still says two numbers). */
function i64Const(mod: Module, value: number): Ref {
  return (mod.i64.const as unknown as (value: bigint) => Ref)(BigInt(value))
}

/** Integer ops of the pointer type (i32, or i64 for memory64), with constants that handle the sign. */
function pointerOps(mod: Module, is64: boolean) {
  const ops = is64 ? mod.i64 : mod.i32
  return {
    k: (value: number): Ref => (is64 ? i64Const(mod, value) : mod.i32.const(value)),
    add: (a: Ref, b: Ref) => ops.add(a, b),
    sub: (a: Ref, b: Ref) => ops.sub(a, b),
    shl: (a: Ref, b: Ref) => ops.shl(a, b),
    shrU: (a: Ref, b: Ref) => ops.shr_u(a, b),
    ltU: (a: Ref, b: Ref) => ops.lt_u(a, b),
    eq: (a: Ref, b: Ref) => ops.eq(a, b),
    eqz: (a: Ref) => ops.eqz(a),
  }
}

/**
 * Adds the globals and helpers, rewrites `memory.size`/`memory.grow` in `functions` (internal names; the
 * module must have exactly one memory), and exports the two globals for the runtime. Returns `undefined` when
 * a function holds an expression the walk does not know, or an instruction survived: the module may then be
 * half-rewritten, and the caller must not emit it.
 */
export function hideTopRegion(
  api: HideRegionApi,
  mod: Module,
  functions: string[],
  is64: boolean,
): HiddenRegion | undefined {
  const ptr = is64 ? api.i64 : api.i32
  const o = pointerOps(mod, is64)
  const globalTaken = (name: string) => mod.getGlobal(name)
  const reserved = fresh(globalTaken, RESERVED_EXPORT)
  const dirty = fresh(globalTaken, DIRTY_EXPORT)
  mod.addGlobal(reserved, ptr, true, o.k(0))
  mod.addGlobal(dirty, ptr, true, o.k(0))
  const get = (name: string) => mod.global.get(name, ptr)
  const pagesOf = (bytes: Ref) => o.shrU(bytes, o.k(16))
  const bytesOf = (pages: Ref) => o.shl(pages, o.k(16))

  const size = fresh((name) => mod.getFunction(name), '__asyncify_memory_size')
  mod.addFunction(size, api.none, ptr, [], o.sub(mod.memory.size(undefined, is64), pagesOf(get(reserved))))

  // (param $pages) (local $old) (local $start) (local $zero)
  const arg = (index: number) => mod.local.get(index, ptr)
  const [PAGES, OLD, START, ZERO] = [0, 1, 2, 3]
  const grow = fresh((name) => mod.getFunction(name), '__asyncify_memory_grow')
  const body = mod.block(null, [
    mod.local.set(OLD, mod.memory.grow(arg(PAGES), undefined, is64)),
    mod.if(o.eq(arg(OLD), o.k(-1)), mod.return(o.k(-1))),
    // the region was [old * 64 KiB - reserved, old * 64 KiB); the program gets its lowest `pages` pages
    mod.local.set(START, o.sub(bytesOf(arg(OLD)), get(reserved))),
    mod.local.set(ZERO, mod.select(o.ltU(bytesOf(arg(PAGES)), get(dirty)), bytesOf(arg(PAGES)), get(dirty))),
    mod.global.set(dirty, o.sub(get(dirty), arg(ZERO))),
    // zero [start, start + zero) eight bytes at a time (the runtime keeps `dirty` a multiple of 16); a loop
    // rather than memory.fill, so the output needs no feature the input did not use
    mod.block('done', [
      mod.loop(
        'zero',
        mod.block(null, [
          mod.br('done', o.eqz(arg(ZERO))),
          mod.local.set(ZERO, o.sub(arg(ZERO), o.k(8))),
          mod.i64.store(0, 8, o.add(arg(START), arg(ZERO)), i64Const(mod, 0)),
          mod.br('zero'),
        ]),
      ),
    ]),
    mod.return(pagesOf(arg(START))),
  ])
  mod.addFunction(grow, ptr, ptr, [ptr, ptr, ptr], body)

  try {
    for (const name of functions) {
      const fn = mod.getFunction(name)
      const rewritten = replaceExpressions(api, api.Function.getBody(fn), (expr, id) => {
        if (id === api.MemorySizeId) return mod.call(size, [], ptr)
        if (id === api.MemoryGrowId) return mod.call(grow, [api.MemoryGrow.getDelta(expr)], ptr)
        return undefined
      })
      api.Function.setBody(fn, rewritten)
      // The walk knows every kind it passed; this catches anything it could still have missed.
      if (/\(memory\.(?:size|grow)\b/.test(api.emitText(rewritten))) return undefined
    }
  } catch (error) {
    if (error instanceof UnwalkableExpression) return undefined
    throw error
  }
  const exportTaken = (name: string) => mod.getExport(name)
  const region = {
    reservedExport: fresh(exportTaken, RESERVED_EXPORT),
    dirtyExport: fresh(exportTaken, DIRTY_EXPORT),
  }
  mod.addGlobalExport(reserved, region.reservedExport)
  mod.addGlobalExport(dirty, region.dirtyExport)
  return region
}
