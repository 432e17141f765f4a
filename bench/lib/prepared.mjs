// The binaries run.mjs prepares for the runtime benches (argv[2] of runtime-bench.mjs and calls-bench.mjs), and
// the result check every contender goes through.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** `<name>.wasm`, `<name>.jspi.wasm` and `<name>.meta.json` from `dir`. */
export function loadPrepared(dir, name) {
  return {
    wasm: readFileSync(join(dir, `${name}.wasm`)),
    jspiWasm: readFileSync(join(dir, `${name}.jspi.wasm`)),
    meta: JSON.parse(readFileSync(join(dir, `${name}.meta.json`), 'utf8')),
  }
}

/** A benchmark that computes a wrong result is a failure, not a figure. */
export function check(label, actual, expected) {
  if (actual !== expected) throw new Error(`${label}: got ${actual}, expected ${expected}`)
}
