import { defineConfig } from 'tsdown'

export default defineConfig({
  // One entry per public subpath; `src/plugin/*` is internal and ends up in shared chunks.
  entry: [
    'src/index.ts',
    'src/vite.ts',
    'src/rollup.ts',
    'src/rolldown.ts',
    'src/webpack.ts',
    'src/rspack.ts',
    'src/esbuild.ts',
    'src/webpack-loader.ts',
    'src/runtime.ts',
    'src/wasi.ts',
    'src/wasi-node.ts',
    // The bin (wasm-asyncify), not an export.
    'src/cli.ts',
  ],
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  dts: true,
  // Bundler types stay references to the bundlers' own packages instead of being inlined.
  deps: { neverBundle: ['vite', 'rollup', 'rolldown', 'webpack', '@rspack/core', 'esbuild', 'unplugin'] },
})
