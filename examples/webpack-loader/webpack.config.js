// No plugin: one rule sends `*.wasm?asyncify` imports through the loader.
const loader = { loader: 'unplugin-asyncify/webpack-loader', options: { asyncImports: ['env.fetch_value'] } }

export default {
  mode: 'production',
  target: 'node',
  entry: './src/main.js',
  output: { filename: 'main.mjs', module: true, chunkFormat: 'module' },
  experiments: { outputModule: true },
  module: {
    rules: [
      // exportsPresence: a missing import in an importModules module fails the build instead of warning.
      {
        resourceQuery: /asyncify/,
        type: 'javascript/auto',
        parser: { exportsPresence: 'error' },
        use: [loader],
      },
    ],
  },
}
