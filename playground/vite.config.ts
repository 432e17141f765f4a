import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import asyncify from '../packages/unplugin-asyncify/src/vite.ts'

export default defineConfig({
  plugins: [
    asyncify({
      // Only these imports block; the drawing calls stay plain calls (smaller, faster code). lua.wasm imports
      // only WASI, whose blocking calls (stdin, sleep) are always added.
      asyncImports: ['env.next_frame', 'env.read_key', 'env.read_line'],
    }),
  ],
  build: {
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        lua: fileURLToPath(new URL('lua.html', import.meta.url)),
      },
    },
  },
})
