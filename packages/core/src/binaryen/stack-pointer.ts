/**
 * The C shadow stack pointer of LLVM-built modules (clang, Rust, Zig): a mutable global that every function
 * with a stack frame decrements in its prologue. The runtime needs it to restore the stack after a failed call
 * and to keep the frames of calls that are paused at the same time apart.
 *
 * With a name section it is `__stack_pointer`. Stripped modules (clang runs `wasm-opt` after linking, which
 * drops names) keep it as the first defined mutable global, as Binaryen's own passes assume; here that guess
 * is only accepted when the code really uses the global like a stack pointer (`global.get; const; sub` in a
 * prologue), so a module that is not LLVM output never gets one of its globals rewritten.
 */

import type { Binaryen, BinaryenModule } from './api.ts'

export interface StackPointerFact {
  /** Internal name of the global. */
  internal: string
  /** Imported globals are provided by the host; their value is only known at run time. */
  imported: boolean
  /**
   * Lowest address the stack may use, as far as the data layout tells: the end of the highest data segment
   * below the initial pointer (wasm-ld puts the data below the stack), else 0.
   */
  low: number
}

const NAME = '__stack_pointer'

export function findStackPointer(
  binaryen: Binaryen,
  mod: BinaryenModule,
  text: string,
  is64: boolean,
): StackPointerFact | undefined {
  const pointerType = is64 ? binaryen.i64 : binaryen.i32
  const named = mod.getGlobal(NAME)
  if (named) {
    const info = binaryen.getGlobalInfo(named)
    if (!info.mutable || info.type !== pointerType) return undefined
    if (info.module) return { internal: info.name, imported: true, low: 0 }
    const initial = constValue(binaryen, info.init)
    return {
      internal: info.name,
      imported: false,
      low: initial === undefined ? 0 : dataEndBelow(mod, initial),
    }
  }
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const info = binaryen.getGlobalInfo(mod.getGlobalByIndex(i))
    if (info.module || !info.mutable) continue
    // the first defined mutable global, or none
    if (info.type !== pointerType) return undefined
    const initial = constValue(binaryen, info.init)
    if (initial === undefined || initial <= 0 || initial % 16 !== 0) return undefined
    if (!usedAsStackPointer(text, info.name, is64)) return undefined
    return { internal: info.name, imported: false, low: dataEndBelow(mod, initial) }
  }
  return undefined
}

function constValue(binaryen: Binaryen, init: number): number | undefined {
  if (!init || binaryen.getExpressionId(init) !== binaryen.ConstId) return undefined
  const value = (binaryen.getExpressionInfo(init) as { value?: unknown }).value
  if (typeof value === 'number') return value >>> 0
  // i64 constants come back as a BigInt
  if (typeof value === 'bigint' && value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(value)
  return undefined
}

/** A prologue: `(global.set $g (... (i32.sub (global.get $g) (i32.const N))))` in Binaryen's text. */
function usedAsStackPointer(text: string, name: string, is64: boolean): boolean {
  const t = is64 ? 'i64' : 'i32'
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(String.raw`\(${t}\.sub\n\s*\(global\.get \$${escaped}\)\n\s*\(${t}\.const \d+\)`).test(
    text,
  )
}

function dataEndBelow(mod: BinaryenModule, initial: number): number {
  let low = 0
  for (let i = 0; i < mod.getNumDataSegments(); i++) {
    const info = mod.getDataSegmentInfo(mod.getDataSegmentByIndex(i))
    if (info.passive || info.offset === null) continue
    const end = info.offset + info.data.byteLength
    if (info.offset < initial && end <= initial && end > low) low = end
  }
  return Math.ceil(low / 16) * 16
}
