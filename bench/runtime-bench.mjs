// Runtime figures, run by run.mjs under Node 20 and again under Node 26 (JSPI). Reads the binaries that
// run.mjs prepared (argv[2]) and prints one JSON object. Every contender is checked for the right result.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { instantiate } from '@unplugin-asyncify/runtime'
import * as AsyncifyWasm from 'asyncify-wasm'
import { handLoop } from './lib/hand-loop.mjs'
import { compare, ratio } from './lib/measure.mjs'

const dir = process.argv[2]
const quick = process.argv.includes('--quick')
const jspi = typeof WebAssembly.Suspending === 'function'
const load = (name) => ({
  wasm: readFileSync(join(dir, `${name}.wasm`)),
  jspiWasm: readFileSync(join(dir, `${name}.jspi.wasm`)),
  meta: JSON.parse(readFileSync(join(dir, `${name}.meta.json`), 'utf8')),
})
const check = (label, actual, expected) => {
  if (actual !== expected) throw new Error(`${label}: got ${actual}, expected ${expected}`)
}
const ours = (mod, imports, mode) =>
  instantiate({ asyncify: mod.wasm, jspi: mod.jspiWasm }, mod.meta, imports, { jspi: mode })

const out = { node: process.version, jspi }
const roundtrip = load('roundtrip')
const resolved = { env: { wait: (x) => Promise.resolve(x) } }

// (a) a call that does not pause: our export vs the raw export wrapped in an async function.
{
  const raw = (await WebAssembly.instantiate(roundtrip.wasm, resolved)).instance.exports
  const rawAsync = async (n) => raw.pure(n)
  const viaAsyncify = (await ours(roundtrip, resolved, 'off')).exports
  const contenders = { raw: () => rawAsync(10), asyncify: () => viaAsyncify.pure(10) }
  if (jspi) {
    const viaJspi = await ours(roundtrip, resolved, 'only')
    check('jspi mode', viaJspi.mode, 'jspi')
    contenders.jspi = () => viaJspi.exports.pure(10)
  }
  for (const [name, op] of Object.entries(contenders)) check(`call ${name}`, await op(), 55)
  const ns = await compare(contenders, { iterations: quick ? 20_000 : 200_000, rounds: quick ? 3 : 9 })
  out.call = {
    ns,
    oursVsRaw: ratio(ns.asyncify, ns.raw),
    jspiVsRaw: jspi ? ratio(ns.jspi, ns.raw) : undefined,
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
  const ns = await compare(contenders, { iterations: quick ? 5_000 : 50_000, rounds: quick ? 3 : 9 })
  out.pause = {
    ns,
    perSecond: Math.round(1e9 / ns.asyncify),
    oursVsHand: ratio(ns.asyncify, ns.hand),
    oursVsAsyncifyWasm: ratio(ns.asyncify, ns.asyncifyWasm),
    jspiVsAsyncify: jspi ? ratio(ns.jspi, ns.asyncify) : undefined,
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
  const ns = await compare(contenders, { iterations: 1, rounds: quick ? 3 : 9 })
  out.fannkuch = {
    n,
    ms: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, Math.round(v / 1e4) / 100])),
    defaultVsOriginal: ratio(ns.asyncifyDefault, ns.original),
    tunedVsOriginal: ratio(ns.asyncifyTuned, ns.original),
    jspiVsOriginal: jspi ? ratio(ns.jspi, ns.original) : undefined,
  }
}

console.log(JSON.stringify(out))
