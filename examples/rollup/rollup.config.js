import asyncify from 'unplugin-asyncify/rollup'

export default {
  input: 'src/main.js',
  output: { dir: 'dist', format: 'es' },
  plugins: [asyncify({ asyncImports: ['env.fetch_value'] })],
}
