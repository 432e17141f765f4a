// One asyncify() of a real program in a fresh process: worker start, Binaryen load, pass, optimize, emit (cold),
// or a cache hit (warm). Prints {ms, bytes, jspiBytes, cache}. argv: file, options as JSON, [cacheDir]
const start = performance.now()
const { readFileSync } = await import('node:fs')
const { asyncify, closePool } = await import('@unplugin-asyncify/core')
const [file, options, cacheDir] = process.argv.slice(2)
const { wasm, jspiWasm, report } = await asyncify(
  readFileSync(file),
  { ...JSON.parse(options), cacheDir: cacheDir ?? false },
  { filename: file },
)
const ms = performance.now() - start
await closePool()
console.log(JSON.stringify({ ms, bytes: wasm.length, jspiBytes: jspiWasm?.length, cache: report.cache }))
