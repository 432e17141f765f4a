import { defineConfig } from 'rolldown'
import asyncify from 'unplugin-asyncify/rolldown'

export default defineConfig({
  input: 'src/main.js',
  output: { dir: 'dist', format: 'es' },
  plugins: [asyncify({ asyncImports: ['env.fetch_value'] })],
})
