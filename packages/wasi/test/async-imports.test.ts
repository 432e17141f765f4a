import { describe, expect, it } from 'vitest'
import { WASI_ASYNC_IMPORTS as CORE_LIST } from '../../core/src/options.ts'
import { WASI_ASYNC_IMPORTS } from '../src/index.ts'
import { build } from './helpers.ts'

describe('WASI_ASYNC_IMPORTS', () => {
  it('is the list core adds to asyncImports', () => {
    expect([...WASI_ASYNC_IMPORTS]).toEqual([...CORE_LIST])
  })

  it('is exactly what the build marks as pausing when the user lists no import', async () => {
    const { meta } = await build('blocking.wasm')
    const suspending = meta.imports.filter((im) => im.suspending).map((im) => `${im.module}.${im.name}`)
    expect(suspending.sort()).toEqual([...WASI_ASYNC_IMPORTS].sort())
  })
})
