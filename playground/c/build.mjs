// Rebuilds snake.wasm from snake.c. The .wasm is committed, so only run this after editing the C; `--check`
// writes nothing and exits 1 when the committed file differs from what the source builds to.
// Needs clang-16 and wasm-ld-16 with wasi-libc (Debian: apt-get install clang-16 lld-16 wasi-libc). clang's
// own wasm-opt step is left out (scripts/clang-wasi.mjs), so the bytes do not depend on what else is installed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileWasi } from '../../scripts/clang-wasi.mjs'

const source = fileURLToPath(new URL('./snake.c', import.meta.url))
const output = fileURLToPath(new URL('../src/snake.wasm', import.meta.url))
const check = process.argv.includes('--check')

const dir = mkdtempSync(join(tmpdir(), 'snake-'))
try {
  const built = join(dir, 'snake.wasm')
  // A reactor: no main(), the page calls exported functions (`play`) whenever it wants.
  compileWasi([
    '--target=wasm32-wasi',
    '-O2',
    '-mexec-model=reactor',
    '-Wall',
    '-Wextra',
    '-Werror',
    source,
    '-o',
    built,
  ])
  const bytes = readFileSync(built)
  const same = Buffer.compare(bytes, readFileSync(output)) === 0
  if (check) {
    console.log(
      same
        ? `snake.wasm up to date (${bytes.length} bytes).`
        : 'snake.wasm is out of date: run node playground/c/build.mjs',
    )
    process.exitCode = same ? 0 : 1
  } else {
    if (!same) writeFileSync(output, bytes)
    console.log(`snake.wasm: ${bytes.length} bytes${same ? ' (unchanged)' : ''}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
