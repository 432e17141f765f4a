// Named exports of a wasm whose `env` imports nothing provides: the build warns (calling pair() would fail to link).
import { pair } from './multi-value.wasm?asyncify'

export async function test() {
  return typeof pair === 'function' ? 'OK' : 'pair is exported'
}
