#!/usr/bin/env node
// Builds the unmodified Lua 5.4.8 interpreter (src/, lua.c included) into lua.wasm, a WASI command:
// `node playground/lua/build.mjs`. `--check` writes nothing and exits 1 when the committed lua.wasm differs
// from what the sources build to. Needs Debian's clang-16 + lld-16 + wasi-libc; without clang-16 it keeps the
// committed lua.wasm and says so.
//
// Nothing in src/ is edited: everything WASI needs is a define here or a file in compat/.
// - setjmp/longjmp (Lua's error handling): Debian's wasi-libc has no <setjmp.h>, so compat/ supplies the header
//   and the small runtime that clang-16's `-mllvm -wasm-enable-sjlj` expects (Wasm exception handling, legacy
//   try/catch instructions, which Binaryen's Asyncify supports as long as no pause happens inside a catch body).
// - SIGINT handler in lua.c: wasi-libc's emulated signal.h (-D_WASI_EMULATED_SIGNAL, -lwasi-emulated-signal).
// - os.clock: clock() from -lwasi-emulated-process-clocks.
// - os.tmpname, os.execute, io.tmpfile: WASI has no temp dir or shell; they fail with Lua's usual error
//   results (luaconf hooks lua_tmpnam/l_system, compat/tmpfile.c).
// clang-16 runs wasm-opt after linking when one is on the PATH; the PATH below hides it so the bytes depend
// only on clang, lld and wasi-libc.
import { spawnSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const CHECK = process.argv.includes('--check')
const OUTPUT = join(here, 'lua.wasm')
const CLANG = 'clang-16'
const LINKER = 'wasm-ld-16' // Debian's clang-16 looks it up on the PATH by this name

const FLAGS = [
  '--target=wasm32-wasi',
  '-O2',
  '-mexec-model=command',
  '-mexception-handling',
  '-mllvm',
  '-wasm-enable-sjlj',
  `-I${join(here, 'compat')}`,
  '-D_WASI_EMULATED_SIGNAL',
  '-D_WASI_EMULATED_PROCESS_CLOCKS',
  '-DLUA_TMPNAMBUFSIZE=32',
  '-Dlua_tmpnam(b,e)={e=1;}',
  '-Dl_system(cmd)=((cmd)==NULL?0:-1)',
  '-Wno-deprecated-declarations', // liolib.c's tmpfile() call, handled by compat/tmpfile.c
]
const LIBS = ['-lwasi-emulated-signal', '-lwasi-emulated-process-clocks']

function sources(dir) {
  return readdirSync(join(here, dir))
    .filter((name) => name.endsWith('.c'))
    .sort()
    .map((name) => join(here, dir, name))
}

// The full path of a program on the current PATH, or undefined.
function which(program) {
  const result = spawnSync('sh', ['-c', 'command -v "$0"', program], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

const clang = which(CLANG)
const linker = which(LINKER)
if (!clang || !linker) {
  console.log(
    `${CLANG} or ${LINKER} not found: keeping the committed lua.wasm (apt-get install clang-16 lld-16 wasi-libc).`,
  )
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'lua-wasm-'))
let bytes
try {
  // A PATH holding only clang and the linker: no wasm-opt for clang to run after linking.
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  symlinkSync(clang, join(bin, CLANG))
  symlinkSync(linker, join(bin, LINKER))
  const tmp = join(dir, 'lua.wasm')
  const result = spawnSync(CLANG, [...FLAGS, ...sources('src'), ...sources('compat'), ...LIBS, '-o', tmp], {
    encoding: 'utf8',
    env: { ...process.env, PATH: bin },
  })
  if (result.status !== 0)
    throw new Error(`Failed to build "playground/lua/lua.wasm": ${result.stderr || result.error}`)
  bytes = readFileSync(tmp)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

let old
try {
  old = readFileSync(OUTPUT)
} catch {}
if (old && Buffer.compare(old, bytes) === 0) {
  console.log(`lua.wasm up to date (${bytes.length} bytes).`)
} else if (CHECK) {
  console.log('lua.wasm is out of date: run `node playground/lua/build.mjs`.')
  process.exitCode = 1
} else {
  writeFileSync(OUTPUT, bytes)
  console.log(`wrote lua.wasm (${bytes.length} bytes)`)
}
