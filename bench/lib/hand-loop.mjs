// The minimal hand-written unwind/rewind loop (the round trip of research-binaryen.md §2.4): the floor any
// Asyncify runtime is measured against. One fixed buffer, no queue, no error handling.
const DATA = 16 // {cur, end} header; the saved frames go to 24..1024

export async function handLoop(bytes, makePromise) {
  let ex
  let pending
  let value
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: {
      wait(x) {
        if (ex.asyncify_get_state() === 2) {
          ex.asyncify_stop_rewind()
          return value
        }
        const header = new Int32Array(ex.memory.buffer, DATA, 2)
        header[0] = DATA + 8
        header[1] = 1024
        ex.asyncify_start_unwind(DATA)
        pending = makePromise(x)
        return 0
      },
    },
  })
  ex = instance.exports
  return async function step(x) {
    let result = ex.step(x)
    while (ex.asyncify_get_state() === 1) {
      ex.asyncify_stop_unwind()
      value = await pending
      ex.asyncify_start_rewind(DATA)
      result = ex.step(x)
    }
    return result
  }
}
