// Rebuilds snake.wasm from snake.c. The .wasm is committed, so only run this after editing the C.
// Needs clang-16 and wasm-ld-16 with wasi-libc (Debian: apt-get install clang-16 lld-16 wasi-libc).
import { execFileSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = fileURLToPath(new URL('./snake.c', import.meta.url))
const output = fileURLToPath(new URL('../src/snake.wasm', import.meta.url))

// A reactor: no main(), the page calls exported functions (`play`) whenever it wants.
execFileSync(
  process.env.CLANG ?? 'clang-16',
  [
    '--target=wasm32-wasi',
    '-O2',
    '-mexec-model=reactor',
    '-Wall',
    '-Wextra',
    '-Werror',
    source,
    '-o',
    output,
  ],
  { stdio: 'inherit' },
)
console.log(`snake.wasm: ${statSync(output).size} bytes`)
