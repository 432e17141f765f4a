import asyncify from 'unplugin-asyncify/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [asyncify({ asyncImports: ['env.fetch_value'] })],
  // A library build with a relative base, so `npm start` can run dist/main.js in Node. A web app needs only `plugins`.
  base: './',
  build: { lib: { entry: 'src/main.js', formats: ['es'], fileName: 'main' } },
})
