// Runtime figures, run by run.mjs under Node 20 and again under Node 26 (JSPI). Reads the binaries that
// run.mjs prepared (argv[2]) and prints one JSON object. Every contender is checked for the right result.
import { instantiate, lazyExports } from '@unplugin-asyncify/runtime'
import * as AsyncifyWasm from 'asyncify-wasm'
import { handLoop } from './lib/hand-loop.mjs'
import { compare } from './lib/measure.mjs'
import { check, loadPrepared } from './lib/prepared.mjs'

const dir = process.argv[2]
const quick = process.argv.includes('--quick')
const jspi = typeof WebAssembly.Suspending === 'function'
const load = (name) => loadPrepared(dir, name)
const ours = (mod, imports, mode) =>
  instantiate({ asyncify: mod.wasm, jspi: mod.jspiWasm }, mod.meta, imports, { jspi: mode })

const out = { node: process.version, jspi }
const roundtrip = load('roundtrip')
const resolved = { env: { wait: (x) => Promise.resolve(x) } }

// (a) a call that does not pause: our export vs the raw export wrapped in an async function. `glue` is the
// same call through lazyExports, what a bundler's `?asyncify` module exports, once instantiated. Under JSPI,
// `pure` (which cannot reach an async import) runs without WebAssembly.promising, `sometimes` (which can) with.
{
  const raw = (await WebAssembly.instantiate(roundtrip.wasm, resolved)).instance.exports
  const rawAsync = async (n) => raw.pure(n)
  const viaAsyncify = (await ours(roundtrip, resolved, 'off')).exports
  const viaGlue = lazyExports(roundtrip.meta, () => ours(roundtrip, resolved, 'off'))
  const contenders = {
    raw: () => rawAsync(10),
    asyncify: () => viaAsyncify.pure(10),
    glue: () => viaGlue.pure(10),
    asyncifySometimes: () => viaAsyncify.sometimes(10),
  }
  if (jspi) {
    const viaJspi = await ours(roundtrip, resolved, 'only')
    check('jspi mode', viaJspi.mode, 'jspi')
    contenders.jspi = () => viaJspi.exports.pure(10)
    contenders.jspiSometimes = () => viaJspi.exports.sometimes(10)
  }
  for (const [name, op] of Object.entries(contenders)) check(`call ${name}`, await op(), 55)
  const { ns, ratio } = await compare(contenders, {
    iterations: quick ? 20_000 : 100_000,
    rounds: quick ? 3 : 21,
  })
  out.call = {
    ns,
    oursVsRaw: ratio('asyncify', 'raw'),
    glueVsRaw: ratio('glue', 'raw'),
    jspiVsRaw: jspi ? ratio('jspi', 'raw') : undefined,
    jspiVsAsyncify: jspi ? ratio('jspiSometimes', 'asyncifySometimes') : undefined,
  }
}

// (b) pause + resume on an already-resolved promise: ours vs the hand loop vs asyncify-wasm, same binary.
{
  const hand = await handLoop(roundtrip.wasm, (x) => Promise.resolve(x))
  const viaAsyncify = (await ours(roundtrip, resolved, 'off')).exports
  const theirs = (await AsyncifyWasm.instantiate(roundtrip.wasm, resolved)).instance.exports
  const contenders = {
    hand: (i) => hand(i),
    asyncify: (i) => viaAsyncify.step(i),
    asyncifyWasm: (i) => theirs.step(i),
  }
  if (jspi) {
    const viaJspi = (await ours(roundtrip, resolved, 'only')).exports
    contenders.jspi = (i) => viaJspi.step(i)
  }
  for (const [name, op] of Object.entries(contenders)) check(`pause ${name}`, await op(41), 42)
  const { ns, ratio } = await compare(contenders, {
    iterations: quick ? 5_000 : 20_000,
    rounds: quick ? 3 : 21,
  })
  out.pause = {
    ns,
    perSecond: Math.round(1e9 / ns.asyncify),
    oursVsHand: ratio('asyncify', 'hand'),
    oursVsAsyncifyWasm: ratio('asyncify', 'asyncifyWasm'),
    jspiVsAsyncify: jspi ? ratio('jspi', 'asyncify') : undefined,
  }
}

// (d) compute-heavy C that could pause in its innermost loop but does not: fannkuch with yield_now() = 0.
{
  const n = quick ? 8 : 9
  const expected = quick ? 22 : 30
  const noPause = { env: { sleep: (ms) => ms, get_i64: (x) => x, yield_now: () => 0, log: () => {} } }
  const raw = async (bytes) => (await WebAssembly.instantiate(bytes, noPause)).instance.exports
  const byDefault = load('compute-default')
  const tuned = load('compute-tuned')
  const original = await raw(byDefault.jspiWasm)
  const asyncDefault = await raw(byDefault.wasm)
  const asyncTuned = await raw(tuned.wasm)
  const contenders = {
    original: () => original.fannkuch(n),
    asyncifyDefault: () => asyncDefault.fannkuch(n),
    asyncifyTuned: () => asyncTuned.fannkuch(n),
  }
  if (jspi) {
    const viaJspi = await ours(tuned, noPause, 'only')
    contenders.jspi = () => viaJspi.exports.fannkuch(n)
  }
  for (const [name, op] of Object.entries(contenders)) check(`fannkuch ${name}`, await op(), expected)
  // a few calls first, so that every contender runs optimized wasm code (V8 tiers up per function)
  const { ns, ratio } = await compare(contenders, { iterations: 1, rounds: quick ? 3 : 15, warmup: 3 })
  out.fannkuch = {
    n,
    ms: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, Math.round(v / 1e4) / 100])),
    defaultVsOriginal: ratio('asyncifyDefault', 'original'),
    tunedVsOriginal: ratio('asyncifyTuned', 'original'),
    jspiVsOriginal: jspi ? ratio('jspi', 'original') : undefined,
  }
}

console.log(JSON.stringify(out))
