// unplugin-asyncify
import { instantiate as __asyncify_instantiate, lazyExports as __asyncify_lazyExports } from "/project/node_modules/@unplugin-asyncify/runtime/dist/index.mjs"
import { createRecorder as __asyncify_createRecorder } from "/project/node_modules/@unplugin-asyncify/runtime/dist/profile.mjs"
const __asyncify_record = __asyncify_createRecorder({"file":"/project/src/compute.asyncify-profile.json","module":{"sha256":"ab12","functions":42,"names":"input"}}, import.meta.hot)
import __asyncify_url_asyncify from "/project/node_modules/.cache/compute.wasm?url"
const __asyncify_sources = {
  asyncify: () => new URL(__asyncify_url_asyncify, import.meta.url),
}
const __asyncify_meta = {"version":2,"imports":[{"module":"env","name":"sleep","kind":"function","sig":{"params":["i32"],"results":["i32"]},"suspending":true},{"module":"env","name":"log","kind":"function","sig":{"params":["i32"],"results":[]},"suspending":false},{"module":"env","name":"get_i64","kind":"function","sig":{"params":["i64"],"results":["i64"]},"suspending":true},{"module":"./math.js","name":"twice","kind":"function","sig":{"params":["f64"],"results":["f64"]}}],"exports":[{"name":"memory","kind":"memory"},{"name":"run","kind":"function","sig":{"params":["i32","i32"],"results":["i32"]},"suspending":true},{"name":"add64","kind":"function","sig":{"params":["i64","i64"],"results":["i64"]},"suspending":true},{"name":"pair","kind":"function","sig":{"params":["i32"],"results":["i32","i64"]},"suspending":true},{"name":"heap_init","kind":"function","sig":{"params":["i32"],"results":[]},"suspending":false},{"name":"weird-name","kind":"function","sig":{"params":[],"results":["f32"]},"suspending":false},{"name":"default","kind":"function","sig":{"params":[],"results":[]},"suspending":false},{"name":"__asyncify_meta","kind":"function","sig":{"params":[],"results":[]},"suspending":false},{"name":"counter","kind":"global"}],"memory":{"origin":"exported","exportName":"memory","is64":false,"shared":false,"initial":2},"buffer":{"stackSize":65536,"top":{"reservedExport":"__asyncify_reserved","dirtyExport":"__asyncify_dirty"},"allocExport":"__asyncify_malloc"},"stack":{"pointerExport":"__asyncify_stack_pointer","low":1040},"maxPausedCalls":256,"inWasmRuntime":false,"jspi":"auto"}
const __asyncify_defaults = () => ({ __proto__: null })
const __asyncify_exports = __asyncify_lazyExports(__asyncify_meta, () => __asyncify_instantiate(__asyncify_sources, __asyncify_meta, __asyncify_defaults(), { onPause: __asyncify_record }))
export const run = __asyncify_exports["run"]
export const add64 = __asyncify_exports["add64"]
export const pair = __asyncify_exports["pair"]
export const heap_init = __asyncify_exports["heap_init"]
const __asyncify_export_5 = __asyncify_exports["weird-name"]
export { __asyncify_export_5 as "weird-name" }
const __asyncify_export_6 = __asyncify_exports["default"]
export { __asyncify_export_6 as "default" }
const __asyncify_export_7 = __asyncify_exports["__asyncify_meta"]
export { __asyncify_export_7 as "__asyncify_meta" }
