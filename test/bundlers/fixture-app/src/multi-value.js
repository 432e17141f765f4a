// multi-value.wasm: pair(x) pauses in env.sleep, then returns two values (an array in JS): [x, BigInt(x) + 2n ** 32n].
import init from './multi-value.wasm?asyncify&init'

export async function test() {
  const { exports } = await init({
    env: { sleep: (x) => new Promise((resolve) => setTimeout(() => resolve(x), 5)) },
  })
  const [first, second] = await exports.pair(5)
  if (first !== 5 || second !== 4294967301n) return 'pair(5) deep-equals [5, 4294967301n]'
  return 'OK'
}
