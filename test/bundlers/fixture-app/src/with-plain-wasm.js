// For bundlers with their own `.wasm` support (Vite, webpack, Rspack): a plain `.wasm` import (the ESM
// integration) next to the `?asyncify` ones must keep working.
import { test as testAsyncify } from './main.js'
import { fib } from './pure-compute.wasm'

export { mode } from './main.js'

export async function test() {
  if (fib(20) !== 6765) return 'plain .wasm import: fib(20) === 6765'
  return testAsyncify()
}
