/**
 * A deliberately tiny Asyncify driver for core tests, so they prove the transform's output really pauses and
 * resumes without depending on @unplugin-asyncify/runtime. It follows the protocol in Binaryen's Asyncify.cpp:
 * an import returning a Promise starts an unwind; the export is re-entered to rewind.
 */

import type { WasmMeta } from '@unplugin-asyncify/runtime'

type HostFunction = (...args: any[]) => unknown
export type HostImports = Record<
  string,
  Record<string, HostFunction | WebAssembly.Memory | WebAssembly.Global>
>

const STATE_UNWINDING = 1
const STATE_REWINDING = 2

export interface Driven {
  instance: WebAssembly.Instance
  exports: Record<string, (...args: any[]) => Promise<any>>
  raw: Record<string, any>
  /** Pauses that happened so far. */
  pauses: number
}

export async function drive(
  wasm: Uint8Array<ArrayBuffer>,
  meta: WasmMeta,
  imports: HostImports,
  region?: { start: number; end: number },
): Promise<Driven> {
  let raw: Record<string, any> = {}
  let pending: Promise<unknown> | undefined
  let resumeValue: unknown
  let dataPtr = -1
  const driven: Driven = { instance: undefined as never, exports: {}, raw, pauses: 0 }

  const memory = (): WebAssembly.Memory => {
    if (meta.memory.exportName) return raw[meta.memory.exportName]
    return imports[meta.memory.importModule!]![meta.memory.importName!] as WebAssembly.Memory
  }
  /** Bytes the top region takes (0 until placed); its header sits at `memory size - reserved`. */
  let reserved = 0
  const ensureBuffer = () => {
    if (region) {
      dataPtr = region.start
      return
    }
    if (meta.buffer.top) {
      if (!reserved) {
        const pages = Math.ceil((meta.buffer.stackSize + 16) / 65536)
        memory().grow(pages)
        reserved = pages * 65536
        const global = meta.buffer.top.reservedExport && raw[meta.buffer.top.reservedExport]
        if (global) global.value = reserved
      }
      // the region moves up when the program grows memory
      dataPtr = memory().buffer.byteLength - reserved
      return
    }
    if (dataPtr >= 0) return
    if (!meta.buffer.allocExport) throw new Error('this module needs a user-given buffer region')
    dataPtr = raw[meta.buffer.allocExport](meta.buffer.stackSize + 16)
  }
  const startUnwind = () => {
    ensureBuffer()
    const view = new DataView(memory().buffer)
    const end = region ? region.end : dataPtr + 16 + meta.buffer.stackSize
    view.setInt32(dataPtr, dataPtr + 16, true)
    view.setInt32(dataPtr + 4, end, true)
    raw.asyncify_start_unwind(dataPtr)
  }

  const wrapped: WebAssembly.Imports = {}
  for (const [module, fields] of Object.entries(imports)) {
    wrapped[module] = {}
    for (const [name, value] of Object.entries(fields)) {
      const entry = meta.imports.find((item) => item.module === module && item.name === name)
      if (typeof value !== 'function' || !entry?.suspending) {
        wrapped[module][name] = value
        continue
      }
      const zero = entry.sig?.results[0] === 'i64' ? 0n : 0
      wrapped[module][name] = (...args: unknown[]) => {
        if (raw.asyncify_get_state() === STATE_REWINDING) {
          raw.asyncify_stop_rewind()
          return resumeValue
        }
        const result = value(...args)
        if (!(result instanceof Promise)) return result
        pending = result
        driven.pauses++
        startUnwind()
        return zero
      }
    }
  }

  const { instance } = await WebAssembly.instantiate(wasm, wrapped)
  raw = instance.exports as Record<string, any>
  driven.instance = instance
  driven.raw = raw
  for (const item of meta.exports) {
    if (item.kind !== 'function') continue
    const fn = raw[item.name] as (...args: unknown[]) => unknown
    driven.exports[item.name] = async (...args: unknown[]) => {
      let result = fn(...args)
      while (raw.asyncify_get_state() === STATE_UNWINDING) {
        raw.asyncify_stop_unwind()
        resumeValue = await pending
        raw.asyncify_start_rewind(dataPtr)
        result = fn(...args)
      }
      return result
    }
  }
  return driven
}

export const sleep = (ms: number): Promise<number> =>
  new Promise((resolve) => setTimeout(() => resolve(ms), ms))
