// An `importModules` module that forgets one import of compute.wasm (`get_i64`): the build must fail naming it.
export { log, sleep, yield_now } from './wasm-env.js'
