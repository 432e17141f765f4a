// No plugin: one rule sends `*.wasm?asyncify` imports through the loader.
const loader = { loader: 'unplugin-asyncify/webpack-loader', options: { asyncImports: ['env.fetch_value'] } }

export default {
  mode: 'production',
  target: 'node',
  entry: './src/main.js',
  output: { filename: 'main.mjs', module: true, chunkFormat: 'module' },
  experiments: { outputModule: true },
  module: { rules: [{ resourceQuery: /asyncify/, type: 'javascript/auto', use: [loader] }] },
}
