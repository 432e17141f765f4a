// One cold transform through @unplugin-asyncify/core in a fresh process: worker start, Binaryen load, pass,
// optimize, emit. Prints {ms, bytes, cache}. argv: file, level, [cacheDir]
const start = performance.now()
const { readFileSync } = await import('node:fs')
const { asyncify, closePool } = await import('@unplugin-asyncify/core')
const [file, level, cacheDir] = process.argv.slice(2)
const { wasm, report } = await asyncify(
  readFileSync(file),
  { optimizeLevel: Number(level), jspi: 'off', asserts: false, cacheDir: cacheDir ?? false },
  { filename: file },
)
const ms = performance.now() - start
await closePool()
console.log(JSON.stringify({ ms, bytes: wasm.length, cache: report.cache }))
