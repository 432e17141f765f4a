// Compiling C to wasm32-wasi with Debian's clang-16, with or without the `wasm-opt` step clang adds.
//
// clang 16+ runs `wasm-opt -O<n>` after linking whenever it finds one (Debian's clang-16 looks in /usr/bin
// whatever PATH says), which strips the name section and makes the bytes depend on the installed binaryen.
// `compileWasi` asks clang for its commands (`-###`) and runs them itself: every step, or every step but
// `wasm-opt`, so a fixture builds to the same bytes on any machine, and the "as users get it" variant is
// built on purpose rather than by accident.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { basename } from 'node:path'

export const CLANG = 'clang-16'

export function hasClang() {
  return spawnSync(CLANG, ['--version'], { stdio: 'ignore' }).status === 0
}

/** Splits the quoted command lines `clang -###` prints into argv arrays. */
function parseCommands(text) {
  const commands = []
  for (const line of text.split('\n')) {
    if (!line.startsWith(' "')) continue
    const argv = []
    for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) argv.push(match[1].replace(/\\(.)/g, '$1'))
    commands.push(argv)
  }
  return commands
}

/**
 * Compiles and links `args` (clang arguments, including `-o out.wasm`). `wasmOpt`: also run the wasm-opt
 * step clang would run. Returns `{ ok: true }`, or `{ ok: false, reason }` when `wasmOpt` is asked for but
 * clang found no wasm-opt. Throws with clang's message when a step fails.
 */
export function compileWasi(args, { wasmOpt = false, cwd } = {}) {
  const plan = spawnSync(CLANG, ['-###', ...args], { encoding: 'utf8', cwd })
  if (plan.status !== 0) throw new Error(`Failed to plan "${args.join(' ')}": ${plan.stderr || plan.error}`)
  const commands = parseCommands(plan.stderr)
  const isWasmOpt = (argv) => basename(argv[0]).startsWith('wasm-opt')
  if (wasmOpt && !commands.some(isWasmOpt)) return { ok: false, reason: 'clang found no wasm-opt to run' }
  // the driver's temporary objects (`-cc1 ... -o /tmp/x-123.o`), removed afterwards as clang would
  const temporaries = commands
    .filter((argv) => argv[1] === '-cc1')
    .map((argv) => argv[argv.indexOf('-o') + 1])
    .filter((path) => path?.endsWith('.o'))
  try {
    for (const argv of commands) {
      if (!wasmOpt && isWasmOpt(argv)) continue
      const step = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd })
      if (step.status !== 0) {
        throw new Error(
          `Failed to run ${basename(argv[0])} for "${args.join(' ')}": ${step.stderr || step.error}`,
        )
      }
    }
  } finally {
    for (const path of temporaries) rmSync(path, { force: true })
  }
  return { ok: true }
}
