// Figure (d) inside Chromium: runs in the page that bench/real/chromium.mjs opens, with the same modules as
// under Node (bench/programs/open.mjs, ./depth.mjs), the runtime mapped by an import map.
import { openProgram } from '../programs/open.mjs'
import { probeDepth, warmUp } from './depth.mjs'

/**
 * `files`: URLs of the original module, the default build and its JSPI twin, and its meta. Returns the deepest
 * recursion per kind ({ depth, stoppedBy }), like the Node figure: each module warmed up first, then a fresh
 * instance per probe.
 */
export async function browserDepths({ scriptsUrl, files, depthStart, warmUpMs }) {
  const scripts = await import(scriptsUrl)
  const compile = async (url) => WebAssembly.compile(await (await fetch(url)).arrayBuffer())
  const meta = await (await fetch(files.meta)).json()
  const modules = {
    original: await compile(files.original),
    asyncify: await compile(files.asyncify),
    jspi: await compile(files.jspi),
  }
  const kinds =
    typeof WebAssembly.Suspending === 'function' ? ['original', 'asyncify', 'jspi'] : ['original', 'asyncify']
  const open = (kind) => openProgram({ kind, module: modules[kind], meta, entry: scripts.entry })
  const out = { hasJspi: kinds.includes('jspi'), userAgent: navigator.userAgent }
  for (const kind of kinds) {
    await warmUp(await open(kind), scripts.cpu(1), warmUpMs)
    const found = await probeDepth(async (depth) => {
      const source = scripts.recurse(depth)
      const got = await (await open(kind)).run(source)
      return got.status === 0 && got.stdout === `${depth}\n`
        ? { ok: true }
        : { ok: false, reason: got.stdout }
    }, depthStart)
    out[kind] = { depth: found.depth, stoppedBy: found.stoppedBy }
  }
  return out
}
