/** Small inline modules for cases the shared fixtures do not cover, compiled with binaryen.js (names kept). */

export async function watToWasm(text: string, features?: number): Promise<Uint8Array<ArrayBuffer>> {
  const { default: binaryen } = (await import('binaryen')) as any
  const mod = binaryen.parseText(text, features ?? binaryen.Features.MVP)
  try {
    binaryen.setDebugInfo(true)
    return mod.emitBinary()
  } finally {
    binaryen.setDebugInfo(false)
    mod.dispose()
  }
}
