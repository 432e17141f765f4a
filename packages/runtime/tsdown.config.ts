import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // dist/index.mjs + dist/index.d.mts, as package.json's exports map says
  fixedExtension: true,
  dts: true,
})
