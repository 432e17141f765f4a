// Entry of the watch/rebuild tests: they copy the app, put a wasm at src/watched.wasm and later replace it.
// test() calls whichever known export the current wasm has, so a rebuilt output answers differently.
import init from './watched.wasm?asyncify&init'

export async function test() {
  const { exports } = await init()
  if (exports.run) return `run=${await exports.run(1, 2)}`
  if (exports.pair) return `pair=${(await exports.pair(5)).join()}`
  return `exports=${Object.keys(exports).join()}`
}
