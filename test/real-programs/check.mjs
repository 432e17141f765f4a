// Runs the real programs' check scripts on the original module (synchronously, imports that never pause) and
// on the asyncified and JSPI builds through our runtime (imports that pause on real timers), for
// test/real-programs.test.ts: imported under Node 20, and through cli.mjs under Node 26 (JSPI).
import { openProgram } from '../../bench/programs/open.mjs'

/** Lines `read_line` returns in the input-reading script. */
export const INPUT = ['alice 5', 'bob 7', 'not a record', 'alice -2', 'carol 11']

export function cases(scripts) {
  return {
    'reads lines and sleeps': { source: scripts.io, input: INPUT },
    'sleeps in a loop, 3 calls deep': { source: scripts.sleepLoop(25, 3) },
    'pauses once, 8 calls deep': { source: scripts.pauseAtDepth(8) },
    'computes without pausing': { source: scripts.cpu(1) },
  }
}

/**
 * `build`: { original, asyncify, jspi } as bytes and `meta`. Returns, per case and per kind that this engine
 * runs, `{ status, stdout, pauses, mode }`; a kind that throws gives `{ error }`.
 */
export async function runCases(build, scriptsFile) {
  const scripts = await import(scriptsFile)
  const kinds =
    typeof WebAssembly.Suspending === 'function' ? ['original', 'asyncify', 'jspi'] : ['original', 'asyncify']
  const modules = {
    original: new WebAssembly.Module(build.original),
    asyncify: new WebAssembly.Module(build.asyncify),
    jspi: new WebAssembly.Module(build.jspi),
  }
  const results = {}
  for (const [name, { source, input }] of Object.entries(cases(scripts))) {
    results[name] = {}
    for (const kind of kinds) {
      try {
        const program = await openProgram({
          kind,
          module: modules[kind],
          meta: build.meta,
          entry: scripts.entry,
          pause: 'timer',
          input,
          // a few dozen pauses per script: more means a build that starts over after each pause
          maxPausesPerRun: 200,
        })
        const { status, stdout } = await program.run(source)
        results[name][kind] = { status, stdout, pauses: program.host.pauses, mode: program.inst?.mode }
      } catch (error) {
        results[name][kind] = { error: String(error?.stack ?? error) }
      }
    }
  }
  return results
}
