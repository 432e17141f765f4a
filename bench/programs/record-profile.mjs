#!/usr/bin/env node
// Records each program's profile (profile-guided instrumentation, docs/performance.md) the way a user would:
// a development build with `profile: 'record'`, then the scripts the test and the benchmark run, with imports
// that really pause. The recorder writes `<name>.asyncify-profile.json` next to the program's .wasm, where
// `asyncify()` finds it; commit it with the .wasm.
//   node bench/programs/record-profile.mjs            both programs
//   node bench/programs/record-profile.mjs lua        one of them
//   --fresh                                           start from an empty profile instead of adding to it
import { rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { asyncify, closePool, profilePath } from '@unplugin-asyncify/core'
import { createRecorder } from '@unplugin-asyncify/runtime/profile'
import { INPUT } from '../../test/real-programs/check.mjs'
import { openProgram } from './open.mjs'
import { buildContext, buildOptions, programs } from './programs.mjs'

/** The pausing scripts of test/real-programs (the check cases) and of bench/real.mjs (figures e and g). */
function recordedScripts(scripts) {
  return [
    { source: scripts.io, input: INPUT },
    { source: scripts.sleepLoop(25, 3) },
    { source: scripts.sleepLoop(200, 8) },
    { source: scripts.pauseAtDepth(1) },
    // deeper nesting repeats the same functions (and an asyncified QuickJS runs out of Node 20's stack at 17)
    { source: scripts.pauseAtDepth(8) },
  ]
}

/** Records `program`'s profile (`fresh`: from an empty one); resolves to its file. */
export async function recordProfile(program, { fresh = false } = {}) {
  const context = { ...buildContext(program), mode: 'development' }
  const file = profilePath(program.wasm, undefined, context.root)
  if (fresh) rmSync(file, { force: true })
  const built = await asyncify(
    await readFile(program.wasm),
    { ...buildOptions(), profile: 'record', jspi: 'off' },
    context,
  )
  if (!built.recorder) throw new Error(`${program.name}: the build did not set up recording`)
  const scripts = await import(program.scripts)
  const module = new WebAssembly.Module(built.wasm)
  for (const { source, input } of recordedScripts(scripts)) {
    const instance = await openProgram({
      kind: 'asyncify',
      module,
      meta: built.meta,
      entry: scripts.entry,
      pause: 'resolved',
      input,
      onPause: createRecorder(built.recorder),
    })
    const { status, stdout } = await instance.run(source)
    if (status !== 0) throw new Error(`${program.name}: a recorded script failed: ${stdout.slice(0, 300)}`)
  }
  return file
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { fresh: { type: 'boolean' } },
  })
  const wanted = positionals.length > 0 ? positionals : programs.map((p) => p.name)
  for (const name of wanted) {
    const program = programs.find((p) => p.name === name)
    if (!program)
      throw new Error(`Unknown program "${name}": choose from ${programs.map((p) => p.name).join(', ')}`)
    const file = await recordProfile(program, { fresh: values.fresh })
    const profile = JSON.parse(await readFile(file, 'utf8'))
    console.log(
      `${name}: ${profile.functions.length} functions, imports ${profile.imports.join(', ')} -> ${file}`,
    )
  }
  await closePool()
}
