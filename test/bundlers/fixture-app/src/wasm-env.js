// The `env` imports of compute.wasm and calls-wasm-opt.wasm, given to the plugin as
// `importModules: { env: <this file> }`.
// sleep() and get_i64() return promises: the build lists them in `asyncImports`, so the wasm really pauses.

/** Resolves to `ms` after really waiting `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(ms), ms))
}

/** Values passed to env.log, newest last (heap_init logs its argument). */
export const logged = []

export function log(value) {
  logged.push(value)
}

/** Called once per flip by fannkuch; 0 keeps the classic answer. */
export function yield_now() {
  return 0
}

/** An async import returning an i64: add64(a, b) === a + b. */
export async function get_i64(value) {
  await new Promise((resolve) => setTimeout(resolve, 1))
  return value
}

/** The instance env.callback calls back into (calls-wasm-opt.wasm's nest and fill); the app sets it. */
export const callbackTarget = { current: undefined }

/** Awaits, calls nest(n - 1) and fill(slot, n * 10) on the same instance while the caller is paused. */
export async function callback(n, slot) {
  await sleep(1)
  const { nest, fill } = callbackTarget.current
  const value = await nest(n - 1)
  await fill(slot, n * 10)
  return value
}
