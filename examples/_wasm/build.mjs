// Rebuilds sum.wasm from sum.c and copies it into every example, so each example stays self-contained.
// Needs clang-16 and wasm-ld-16 with wasi-libc. The .wasm files are committed; run this only after editing sum.c.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const examples = fileURLToPath(new URL('..', import.meta.url))
const output = `${here}sum.wasm`

execFileSync(
  process.env.CLANG ?? 'clang-16',
  ['--target=wasm32-wasi', '-O2', '-mexec-model=reactor', '-Wall', '-Werror', `${here}sum.c`, '-o', output],
  { stdio: 'inherit' },
)
for (const name of readdirSync(examples)) {
  if (!existsSync(`${examples}${name}/package.json`)) continue
  copyFileSync(output, `${examples}${name}/src/sum.wasm`)
  console.log(`examples/${name}/src/sum.wasm`)
}
