import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/binaryen/worker.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: { entry: ['src/index.ts'] },
  external: ['binaryen'],
})
