// The same module loaded by the dev server's SSR module runner (Node): the recorder writes the file itself.
import { _initialize, direct, unrecorded } from './profile.wasm?asyncify'

export async function run() {
  await _initialize()
  return [await direct(2), await unrecorded(2)]
}
