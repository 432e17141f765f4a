// The feature probes validate tiny modules written as bytes; each must be exactly what Binaryen encodes for
// the text beside it, or a typo would make an engine look like it lacks the feature.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FEATURE_MODULES } from './features.mjs'

// binaryen is core's dependency
const require = createRequire(fileURLToPath(new URL('../../packages/core/package.json', import.meta.url)))

describe('feature probe modules', () => {
  it.each(Object.entries(FEATURE_MODULES))('%s is the binary of its text', async (_name, { wat, bytes }) => {
    const { default: binaryen } = await import(require.resolve('binaryen'))
    const module = binaryen.parseText(wat)
    try {
      module.setFeatures(binaryen.Features.All)
      expect(module.validate()).toBeTruthy()
      expect(Array.from(module.emitBinary() as Uint8Array)).toEqual(bytes)
    } finally {
      module.dispose()
    }
  })
})
