// WebAssembly text imported with ?asyncify: the build must fail with ASYNCIFY_NOT_WASM and the command to compile it.
import { run } from './pure-compute.wat?asyncify'

export const test = () => run
