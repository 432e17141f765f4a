// JavaScript imported with ?asyncify: the build must fail with ASYNCIFY_NOT_WASM, not a parse error.
import { sleep } from './wasm-env.js?asyncify'

export const test = () => sleep
