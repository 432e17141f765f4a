// Runtime figures of the real programs, run by bench/real.mjs under Node 20 and again under Node 26 (JSPI).
// argv[2]: the folder real.mjs prepared (config.json, the original and every built binary). Prints one JSON
// object. Every run of every contender is checked against the original module's output for the same script.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compare } from '../lib/measure.mjs'
import { openProgram } from '../programs/open.mjs'
import { contenderError, probeDepth, warmUp } from './depth.mjs'

const dir = process.argv[2]
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
const { quick, params } = config
const jspi = typeof WebAssembly.Suspending === 'function'
const out = { node: process.version, jspi, programs: {} }
const log = (line) => process.stderr.write(`    ${line}\n`)

/** A big unwind buffer for the peak measurement: what `stackSize` sets, applied to the build's meta. */
const withStackSize = (meta, bytes) => ({ ...meta, buffer: { ...meta.buffer, stackSize: bytes } })

for (const spec of config.programs) {
  const scripts = await import(spec.scripts)
  const compile = (file) => new WebAssembly.Module(readFileSync(join(dir, file)))
  const original = compile(`${spec.name}.input.wasm`)
  const builds = Object.fromEntries(
    spec.variants.map((variant) => [
      variant,
      {
        asyncify: compile(`${spec.name}.${variant}.wasm`),
        jspi: compile(`${spec.name}.${variant}.jspi.wasm`),
        meta: JSON.parse(readFileSync(join(dir, `${spec.name}.${variant}.meta.json`), 'utf8')),
      },
    ]),
  )
  const base = builds.default

  /** One instance ready to run scripts (bench/programs/open.mjs); `variant` picks the build. */
  const open = (kind, { variant = 'default', pause = 'never', meta } = {}) => {
    const build = builds[variant]
    const module = kind === 'original' ? original : kind === 'jspi' ? build.jspi : build.asyncify
    // no script pauses more than sleepLoop() does: more means a build that starts over after each pause
    const maxPausesPerRun = Math.max(params.pauseCount, params.hotCount) + 100
    return openProgram({
      kind,
      module,
      meta: meta ?? build.meta,
      entry: scripts.entry,
      pause,
      maxPausesPerRun,
    })
  }

  const expected = new Map()
  async function expect(source) {
    if (!expected.has(source)) {
      const reference = await (await open('original')).run(source)
      if (reference.status !== 0) {
        throw new Error(`${spec.name}: the original module failed on its own script: ${reference.stdout}`)
      }
      expected.set(source, reference.stdout)
    }
    return expected.get(source)
  }
  /** A timed operation: one script run on `instance`, checked against the original's output. */
  async function checkedRun(label, opening, source) {
    const want = await expect(source)
    const instance = await opening
    return async () => {
      const got = await instance.run(source)
      if (got.status !== 0 || got.stdout !== want) {
        throw new Error(
          `${spec.name} ${label}: wrong output (status ${got.status}): ${JSON.stringify(got.stdout.slice(0, 200))}, expected ${JSON.stringify(want.slice(0, 200))}`,
        )
      }
    }
  }
  /**
   * A contender that fails (an error, or a wrong output) gets no figure; the reason is kept and reported.
   * Each is run `warmup` times first, so that V8 has tiered it up (optimized frames are bigger: a contender
   * can overflow the native stack only once it runs optimized code).
   */
  const failures = {}
  async function tryContender(label, make, warmup) {
    try {
      const op = await make()
      for (let i = 0; i < warmup; i++) await op()
      return op
    } catch (error) {
      failures[label] = contenderError(error)
      log(`${spec.name} ${label}: ${failures[label]}`)
      return undefined
    }
  }
  /** compare() over the contenders that work; one that fails while timed is dropped and the rest re-timed. */
  async function timed(figure, makers, options) {
    const contenders = {}
    for (const [label, make] of Object.entries(makers)) {
      const op = await tryContender(`${figure} ${label}`, make, options.warmup)
      if (op) contenders[label] = op
      else if (label === 'original')
        throw new Error(`${spec.name}: the original module failed: ${failures[`${figure} original`]}`)
    }
    for (;;) {
      let failing
      const guarded = Object.fromEntries(
        Object.entries(contenders).map(([label, op]) => [
          label,
          async () => {
            try {
              await op()
            } catch (error) {
              failing = label
              throw error
            }
          },
        ]),
      )
      try {
        const { ns, ratio } = await compare(guarded, { ...options, warmup: 0 })
        return { ns, within: (a, b) => (a in ns && b in ns ? ratio(a, b) : undefined) }
      } catch (error) {
        if (!failing || failing === 'original') throw error
        failures[`${figure} ${failing}`] = contenderError(error)
        log(`${spec.name} ${figure} ${failing}: ${contenderError(error)}`)
        delete contenders[failing]
      }
    }
  }

  const result = { variants: spec.variants, failures }
  out.programs[spec.name] = result

  // (a, b) CPU-bound script that never pauses: asyncified (every variant) and JSPI, against the original.
  {
    log(`${spec.name}: (a, b) CPU-bound script`)
    const scale = scripts.cpuScale[quick ? 'quick' : 'full']
    const source = scripts.cpu(scale)
    const makers = { original: () => checkedRun('original', open('original'), source) }
    for (const variant of spec.variants) {
      const label = `asyncify:${variant}`
      makers[label] = () => checkedRun(label, open('asyncify', { variant }), source)
    }
    if (jspi) makers.jspi = () => checkedRun('jspi', open('jspi'), source)
    const { ns, within } = await timed('cpu', makers, {
      iterations: 1,
      rounds: params.cpuRounds,
      warmup: params.cpuWarmup,
    })
    result.cpu = {
      scale,
      ms: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, Math.round(v / 1e5) / 10])),
      vsOriginal: Object.fromEntries(
        Object.keys(ns)
          .filter((k) => k !== 'original')
          .map((k) => [k, within(k, 'original')]),
      ),
    }
  }

  // (d) native stack depth: the deepest recursion each contender reaches, a fresh instance per probe (an
  // engine stack overflow leaves an instance unusable), each module warmed up first (see warmUp).
  {
    log(`${spec.name}: (d) deepest recursion`)
    const depthOf = async (kind, variant) => {
      await warmUp(await open(kind, { variant }), scripts.cpu(1), params.warmUpMs)
      return probeDepth(async (depth) => {
        const source = scripts.recurse(depth)
        const got = await (await open(kind, { variant })).run(source)
        const want = await expect(source)
        return got.status === 0 && got.stdout === want ? { ok: true } : { ok: false, reason: got.stdout }
      }, params.depthStart)
    }
    result.depth = { original: await depthOf('original') }
    for (const variant of spec.variants)
      result.depth[`asyncify:${variant}`] = await depthOf('asyncify', variant)
    if (jspi) result.depth.jspi = await depthOf('jspi')
  }

  // (e) sleep() in a loop, `nesting` script calls deep (sleepLoop). 'never': sleep returns a number (the hot
  // loop: an import that could pause but does not), `hotCount` calls per run; 'resolved': sleep returns an
  // already-resolved promise, so every call is a full pause and resume, `pauseCount` calls per run. The two
  // counts differ (a pause costs ~100x a call), so figures across them compare time per sleep() call.
  {
    log(`${spec.name}: (e) pause and resume`)
    const { hotCount, pauseCount, pauseNesting } = params
    const hot = scripts.sleepLoop(hotCount, pauseNesting)
    const pausing = scripts.sleepLoop(pauseCount, pauseNesting)
    const calls = { original: hotCount, asyncifyNoPause: hotCount, asyncifyPause: pauseCount }
    const makers = {
      original: () => checkedRun('original', open('original'), hot),
      asyncifyNoPause: () => checkedRun('asyncify', open('asyncify'), hot),
      asyncifyPause: () => checkedRun('asyncify pausing', open('asyncify', { pause: 'resolved' }), pausing),
    }
    for (const variant of spec.variants.filter((v) => v !== 'default')) {
      Object.assign(calls, {
        [`asyncifyNoPause:${variant}`]: hotCount,
        [`asyncifyPause:${variant}`]: pauseCount,
      })
      makers[`asyncifyNoPause:${variant}`] = () => checkedRun(variant, open('asyncify', { variant }), hot)
      makers[`asyncifyPause:${variant}`] = () =>
        checkedRun(`${variant} pausing`, open('asyncify', { variant, pause: 'resolved' }), pausing)
    }
    if (jspi) {
      Object.assign(calls, { jspiNoPause: hotCount, jspiPause: pauseCount })
      makers.jspiNoPause = () => checkedRun('jspi', open('jspi'), hot)
      makers.jspiPause = () => checkedRun('jspi pausing', open('jspi', { pause: 'resolved' }), pausing)
    }
    const { ns, within } = await timed('pause', makers, {
      iterations: 1,
      rounds: params.pauseRounds,
      warmup: 3,
    })
    /** Median over rounds of (a's time per sleep() call) / (b's time per call). */
    const perCall = (a, b) => {
      const r = within(a, b)
      return r === undefined ? undefined : Math.round(((r * calls[b]) / calls[a]) * 100) / 100
    }
    const nsPerCall = Object.fromEntries(
      Object.entries(ns).map(([k, v]) => [k, Math.round((v / calls[k]) * 10) / 10]),
    )
    /** Microseconds one pause adds to a call that does not pause. */
    const pauseUs = (paused, plain) =>
      paused in ns && plain in ns ? Math.round(nsPerCall[paused] - nsPerCall[plain]) / 1000 : undefined
    result.pause = {
      hotCount,
      pauseCount,
      nesting: pauseNesting,
      nsPerCall,
      hotLoopAsyncifyVsOriginal: perCall('asyncifyNoPause', 'original'),
      pausingAsyncifyVsOriginal: perCall('asyncifyPause', 'original'),
      usPerPauseAsyncify: pauseUs('asyncifyPause', 'asyncifyNoPause'),
      variants: Object.fromEntries(
        spec.variants
          .filter((v) => v !== 'default')
          .map((v) => [
            v,
            {
              hotLoopVsOriginal: perCall(`asyncifyNoPause:${v}`, 'original'),
              pausingVsOriginal: perCall(`asyncifyPause:${v}`, 'original'),
            },
          ]),
      ),
      ...(jspi && {
        hotLoopJspiVsOriginal: perCall('jspiNoPause', 'original'),
        pausingJspiVsOriginal: perCall('jspiPause', 'original'),
        pauseAsyncifyVsJspi: perCall('asyncifyPause', 'jspiPause'),
        usPerPauseJspi: pauseUs('jspiPause', 'jspiNoPause'),
      }),
    }
  }

  // (g) unwind-buffer use: pause at the deepest nesting a pausing script reaches (with a buffer big enough
  // not to be the limit).
  {
    log(`${spec.name}: (g) unwind buffer at the deepest pause`)
    const big = withStackSize(base.meta, params.peakBufferBytes)
    const pauseProbe = (kind, meta) => async (depth) => {
      const source = scripts.pauseAtDepth(depth)
      const instance = await open(kind, { pause: 'resolved', meta })
      const got = await instance.run(source)
      const want = await expect(source)
      if (got.status !== 0 || got.stdout !== want) return { ok: false, reason: got.stdout }
      return { ok: true, peak: instance.inst.unwindBuffer?.peak }
    }
    const asyncifyProbe = pauseProbe('asyncify', big)
    const deepest = await probeDepth(asyncifyProbe, params.depthStart)
    // bytes each script-level call adds: between a pause 1 call deep and the deepest one
    const shallow = (await asyncifyProbe(1)).peak
    result.peak = {
      bufferBytes: params.peakBufferBytes,
      deepestPause: deepest.depth,
      stoppedBy: deepest.stoppedBy,
      peakAtDeepest: deepest.at?.peak,
      peakAtOne: shallow,
      bytesPerLevel:
        deepest.depth > 1 ? Math.round((deepest.at.peak - shallow) / (deepest.depth - 1)) : undefined,
    }
    if (jspi) {
      const jspiDeepest = await probeDepth(pauseProbe('jspi'), params.depthStart)
      result.peak.jspiDeepestPause = jspiDeepest.depth
      result.peak.jspiStoppedBy = jspiDeepest.stoppedBy
    }
  }
}

console.log(JSON.stringify(out))
