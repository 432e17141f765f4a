// esbuild takes plugins only through its JS API.
import * as esbuild from 'esbuild'
import asyncify from 'unplugin-asyncify/esbuild'

await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  outdir: 'dist',
  plugins: [asyncify({ asyncImports: ['env.fetch_value'] })],
})
