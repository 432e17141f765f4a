// The baseline: the same pass called directly on binaryen.js, in a fresh process, the way the article's JS
// example does it (read, asyncify, optimize, emit), at the same level. Prints {ms, bytes}. argv: file, level
const start = performance.now()
const { readFileSync } = await import('node:fs')
const { default: binaryen } = await import('binaryen')
const [file, level] = process.argv.slice(2)
// Plain Features.All makes Node 20 reject the output (compact imports): research-binaryen.md §2.3.
const module = binaryen.readBinary(
  readFileSync(file),
  binaryen.Features.All & ~binaryen.Features.CompactImports,
)
binaryen.setOptimizeLevel(Number(level))
binaryen.setShrinkLevel(0)
binaryen.setGenerateStackIR(Number(level) >= 2)
binaryen.setOptimizeStackIR(Number(level) >= 2)
module.runPasses(['asyncify'])
module.optimize()
const bytes = module.emitBinary()
module.dispose()
console.log(JSON.stringify({ ms: performance.now() - start, bytes: bytes.length }))
