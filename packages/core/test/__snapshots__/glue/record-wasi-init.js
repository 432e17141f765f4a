// unplugin-asyncify
import { instantiateWasi as __asyncify_instantiate } from "/project/node_modules/@unplugin-asyncify/wasi/dist/index.mjs"
const __asyncify_wasi = {}
import { createRecorder as __asyncify_createRecorder } from "/project/node_modules/@unplugin-asyncify/runtime/dist/profile.mjs"
const __asyncify_record = __asyncify_createRecorder({"file":"/project/src/a \"quoted\" dir/lua.asyncify-profile.json","module":{"sha256":"cd34","functions":7,"names":"index"}})
function __asyncify_onPause(options) {
  const own = options?.onPause
  return own ? (pause) => { __asyncify_record(pause); own(pause) } : __asyncify_record
}
const __asyncify_sources = {
  asyncify: () => Uint8Array.from(atob("AGFzbQEAAAA="), (c) => c.charCodeAt(0)),
}
const __asyncify_meta = {"version":2,"imports":[{"module":"env","name":"sleep","kind":"function","sig":{"params":["i32"],"results":["i32"]},"suspending":true},{"module":"env","name":"log","kind":"function","sig":{"params":["i32"],"results":[]},"suspending":false},{"module":"env","name":"get_i64","kind":"function","sig":{"params":["i64"],"results":["i64"]},"suspending":true},{"module":"./math.js","name":"twice","kind":"function","sig":{"params":["f64"],"results":["f64"]}},{"module":"wasi_snapshot_preview1","name":"fd_read","kind":"function","sig":{"params":["i32","i32","i32","i32"],"results":["i32"]},"suspending":true}],"exports":[{"name":"memory","kind":"memory"},{"name":"run","kind":"function","sig":{"params":["i32","i32"],"results":["i32"]},"suspending":true},{"name":"add64","kind":"function","sig":{"params":["i64","i64"],"results":["i64"]},"suspending":true},{"name":"pair","kind":"function","sig":{"params":["i32"],"results":["i32","i64"]},"suspending":true},{"name":"heap_init","kind":"function","sig":{"params":["i32"],"results":[]},"suspending":false},{"name":"weird-name","kind":"function","sig":{"params":[],"results":["f32"]},"suspending":false},{"name":"default","kind":"function","sig":{"params":[],"results":[]},"suspending":false},{"name":"__asyncify_meta","kind":"function","sig":{"params":[],"results":[]},"suspending":false},{"name":"counter","kind":"global"}],"memory":{"origin":"exported","exportName":"memory","is64":false,"shared":false,"initial":2},"buffer":{"stackSize":65536,"top":{"reservedExport":"__asyncify_reserved","dirtyExport":"__asyncify_dirty"},"allocExport":"__asyncify_malloc"},"stack":{"pointerExport":"__asyncify_stack_pointer","low":1040},"maxPausedCalls":256,"inWasmRuntime":false,"jspi":"auto"}
const __asyncify_defaults = { __proto__: null }
/** Compiled modules by source (asyncify, jspi), from the first init() that loaded each. */
const __asyncify_compiled = {}
/** A new, independent instance per call. */
export default function init(imports, options) {
  let loaded
  const sources = {}
  for (const mode of Object.keys(__asyncify_sources)) {
    sources[mode] = () => __asyncify_compiled[mode] ?? ((loaded = mode), __asyncify_sources[mode]())
  }
  const instance = __asyncify_instantiate(sources, __asyncify_meta, imports, { ...options, wasi: { ...__asyncify_wasi, ...options?.wasi }, onPause: __asyncify_onPause(options) })
  instance.then(
    (created) => { if (loaded) __asyncify_compiled[loaded] ??= created.module },
    () => {},
  )
  return instance
}
