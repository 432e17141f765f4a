// A wasm import the build must refuse: not-wasm.wasm is text, not a WebAssembly binary.
import { main } from './not-wasm.wasm?asyncify'

export async function test() {
  return main()
}
