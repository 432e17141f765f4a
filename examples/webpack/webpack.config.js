import asyncify from 'unplugin-asyncify/webpack'

export default {
  mode: 'production',
  target: 'node',
  entry: './src/main.js',
  output: { filename: 'main.mjs', module: true, chunkFormat: 'module' },
  experiments: { outputModule: true },
  plugins: [asyncify({ asyncImports: ['env.fetch_value'] })],
}
