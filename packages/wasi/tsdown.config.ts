import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  fixedExtension: true,
  dts: true,
  // The shim and the runtime stay imports: one copy each in the user's bundle.
  deps: { neverBundle: ['@bjorn3/browser_wasi_shim', '@unplugin-asyncify/runtime', /^node:/] },
})
