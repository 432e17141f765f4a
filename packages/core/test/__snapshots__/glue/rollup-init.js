// unplugin-asyncify: "src/compute.wasm"
import { instantiate as __asyncify_instantiate } from "/project/node_modules/@unplugin-asyncify/runtime/dist/index.mjs"
import * as __asyncify_module_0 from "/project/src/wasm-env.js"
const __asyncify_sources = {
  asyncify: () => new URL(import.meta.ROLLUP_FILE_URL_a1b2c3, import.meta.url),
  jspi: () => new URL(import.meta.ROLLUP_FILE_URL_d4$e5, import.meta.url),
}
const __asyncify_meta = {"version":2,"imports":[{"module":"env","name":"sleep","kind":"function","sig":{"params":["i32"],"results":["i32"]},"suspending":true},{"module":"env","name":"log","kind":"function","sig":{"params":["i32"],"results":[]},"suspending":false},{"module":"env","name":"get_i64","kind":"function","sig":{"params":["i64"],"results":["i64"]},"suspending":true},{"module":"./math.js","name":"twice","kind":"function","sig":{"params":["f64"],"results":["f64"]}}],"exports":[{"name":"memory","kind":"memory"},{"name":"run","kind":"function","sig":{"params":["i32","i32"],"results":["i32"]},"suspending":true},{"name":"add64","kind":"function","sig":{"params":["i64","i64"],"results":["i64"]},"suspending":true},{"name":"pair","kind":"function","sig":{"params":["i32"],"results":["i32","i64"]},"suspending":true},{"name":"heap_init","kind":"function","sig":{"params":["i32"],"results":[]},"suspending":false},{"name":"weird-name","kind":"function","sig":{"params":[],"results":["f32"]},"suspending":false},{"name":"default","kind":"function","sig":{"params":[],"results":[]},"suspending":false},{"name":"__asyncify_meta","kind":"function","sig":{"params":[],"results":[]},"suspending":false},{"name":"counter","kind":"global"}],"memory":{"origin":"exported","exportName":"memory","is64":false,"shared":false,"initial":2},"buffer":{"stackSize":65536,"top":{"reservedExport":"__asyncify_reserved","dirtyExport":"__asyncify_dirty"},"allocExport":"__asyncify_malloc"},"stack":{"pointerExport":"__asyncify_stack_pointer","low":1040},"maxPausedCalls":256,"inWasmRuntime":false,"jspi":"auto"}
const __asyncify_defaults = { "env": __asyncify_module_0 }
/** Compiled modules by source (asyncify, jspi), from the first init() that loaded each. */
const __asyncify_compiled = {}
/** A new, independent instance per call. */
export default function init(imports, options) {
  let loaded
  const sources = {}
  for (const mode of Object.keys(__asyncify_sources)) {
    sources[mode] = () => __asyncify_compiled[mode] ?? ((loaded = mode), __asyncify_sources[mode]())
  }
  const instance = __asyncify_instantiate(sources, __asyncify_meta, __asyncify_merge(__asyncify_defaults, imports), options)
  instance.then(
    (created) => { if (loaded) __asyncify_compiled[loaded] ??= created.module },
    () => {},
  )
  return instance
}
/** Per wasm import module: the functions passed to init() win over the defaults. */
function __asyncify_merge(defaults, imports) {
  const merged = { ...defaults }
  for (const name in imports) merged[name] = { ...defaults[name], ...imports[name] }
  return merged
}
