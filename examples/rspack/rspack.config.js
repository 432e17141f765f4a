import asyncify from 'unplugin-asyncify/rspack'

export default {
  mode: 'production',
  target: 'node',
  entry: './src/main.js',
  output: { filename: 'main.mjs', module: true, chunkFormat: 'module' },
  plugins: [asyncify({ asyncImports: ['env.fetch_value'] })],
}
