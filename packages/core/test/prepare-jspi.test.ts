// prepareJspi(): the JSPI binary and its meta without the Asyncify pass, for dev servers that serve browsers
// with JSPI first and build the Asyncify binary only when a browser without JSPI asks for it.
import { describe, expect, it } from 'vitest'
import { asyncify, prepareJspi } from '../src/index.ts'
import { fixture } from './helpers/fixtures.ts'

describe('prepareJspi', () => {
  it.each(['compute.wasm', 'compute-wasm-opt.wasm', 'grows-memory.wasm'])(
    '%s: the same JSPI bytes and meta as asyncify(), without the pass (no suspending flags)',
    async (name) => {
      const options = {
        cacheDir: false as const,
        asyncImports: ['env.sleep', 'env.get_i64'],
        optimizeLevel: 1 as const,
      }
      const full = await asyncify(fixture(name), options, { mode: 'development' })
      const first = await prepareJspi(fixture(name), options, { mode: 'development' })
      expect(first.jspiWasm).toEqual(full.jspiWasm)
      const strip = (meta: typeof full.meta) => ({
        ...meta,
        exports: meta.exports.map(({ suspending: _, ...entry }) => entry),
      })
      expect(first.meta).toEqual(strip(full.meta))
      expect(first.meta.exports.some((entry) => 'suspending' in entry)).toBe(false)
      expect(full.meta.exports.some((entry) => entry.suspending)).toBe(true)
      expect(first.report.instrumented).toBe(0)
    },
  )
})
