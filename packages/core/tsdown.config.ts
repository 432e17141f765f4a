import { defineConfig } from 'tsdown'

export default defineConfig({
  // The worker is its own entry: the pool starts dist/binaryen/worker.mjs (also when tests run from src/).
  entry: ['src/index.ts', 'src/cli.ts', 'src/binaryen/worker.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // cli: a types-only entry too, so the `./cli` subpath (run by unplugin-asyncify's bin) resolves with types.
  dts: { entry: ['src/index.ts', 'src/cli.ts'] },
  // binaryen.js is 15 MB with top-level await: never bundle it, load it at runtime in the worker.
  deps: { neverBundle: ['binaryen'] },
})
