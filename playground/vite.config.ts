import { defineConfig } from 'vite'
import asyncify from '../packages/unplugin-asyncify/src/vite.ts'

export default defineConfig({
  plugins: [
    asyncify({
      // Only these imports block; the drawing calls stay plain calls (smaller, faster code).
      asyncImports: ['env.next_frame', 'env.read_key', 'env.read_line'],
    }),
  ],
})
