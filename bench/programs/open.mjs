// One instance of a real program, ready to run scripts: the original module called directly, or a build of it
// through our runtime (Asyncify or JSPI). Shared by bench/real/runtime.mjs and test/real-programs.
import { instantiate } from '@unplugin-asyncify/runtime'
import { createHost, runScript } from './host.mjs'

/**
 * kind: 'original' (the input module, exports called synchronously; its imports never pause), 'asyncify' or
 * 'jspi' (through `instantiate()`, with `meta` from the build). `pause`, `input` and `maxPausesPerRun` go to
 * createHost(), `onPause` to `instantiate()` (record mode: a profile recorder).
 * `run(source)` resolves to `{ status, stdout }` of one script.
 */
export async function openProgram({
  kind,
  module,
  meta,
  entry,
  pause = 'never',
  input = [],
  maxPausesPerRun,
  onPause,
}) {
  const host = createHost(module, { pause: kind === 'original' ? 'never' : pause, input, maxPausesPerRun })
  let exports
  let memory
  let inst
  if (kind === 'original') {
    const instance = new WebAssembly.Instance(module, host.imports)
    exports = instance.exports
    memory = exports.memory
    host.attach(memory)
    exports._initialize()
  } else {
    const sources = kind === 'jspi' ? { jspi: module } : { asyncify: module }
    inst = await instantiate(sources, meta, host.imports, { jspi: kind === 'jspi' ? 'only' : 'off', onPause })
    exports = inst.exports
    memory = inst.memory
    host.attach(memory)
    await exports._initialize()
  }
  return {
    host,
    /** Our runtime's instance (undefined for the original): `mode`, `unwindBuffer`. */
    inst,
    async run(source) {
      host.startRun()
      const status = await runScript(exports, memory, entry, source)
      return { status, stdout: host.stdout }
    },
  }
}
