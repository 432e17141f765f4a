#!/usr/bin/env node
// Rebuilds the real programs of the benchmark from the committed sources, with Debian's clang-16, lld-16 and
// wasi-libc: `node bench/programs/build.mjs [quickjs|lua ...] [--check]`.
//
// Two files per program, because users get two kinds of module from the same toolchain:
// - `<name>.wasm`: clang run with wasm-opt hidden (reproducible bytes, name section kept). The benchmark's input.
// - `<name>.wasmopt.wasm`: clang with Debian's wasm-opt 108 on the PATH, as a user's build gets it: clang runs
//   `wasm-opt -O2` after linking, which strips the name section (research: real-world-modules.md).
// clang looks for wasm-opt in its own directory, then on PATH. /usr/bin/clang-16 has its directory /usr/bin,
// where Debian puts wasm-opt, so the hidden build runs /usr/lib/llvm-16/bin/clang (no wasm-opt beside it)
// with an empty PATH and names the linker explicitly.
//
// Headers come only from clang and wasi-libc (`-nostdlibinc`), so the host's /usr/include cannot leak in.
// `--check` builds into a temporary folder and exits 1 when a committed .wasm differs. Idempotent otherwise.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const CHECK = process.argv.includes('--check')
const CLANG = '/usr/bin/clang-16'
const CLANG_NO_WASM_OPT = '/usr/lib/llvm-16/bin/clang'
const WASM_LD = '/usr/lib/llvm-16/bin/wasm-ld'
const COMMON = ['--target=wasm32-wasi', '-O2', '-nostdlibinc', '-isystem', '/usr/include/wasm32-wasi']
// 1 MiB shadow stack: the interpreters recurse in C for every script-level call.
const LINK = ['-mexec-model=reactor', '-Wl,-z,stack-size=1048576', '-Wl,--export=malloc', '-Wl,--export=free']
// The benchmark's input drops the DWARF that Debian's wasi-libc carries (half of Lua's bytes), so that size
// ratios measure instrumentation; names stay. The users' build keeps it, as users get it.
const STRIP_DEBUG = '-Wl,--strip-debug'
const LUA_EH = ['-mexception-handling', '-mllvm', '-wasm-enable-sjlj']

const PROGRAMS = {
  quickjs: {
    dir: join(here, 'quickjs'),
    units: [
      ...['quickjs', 'cutils', 'dtoa', 'libregexp', 'libunicode'].map((name) => ({
        file: `src/${name}.c`,
        // QuickJS wants its version string; wasi-libc declares malloc_usable_size in <malloc.h>, which
        // quickjs.c includes only for Linux, macOS and FreeBSD. shim/ stands in for headers wasi-libc lacks.
        flags: [
          '-isystem',
          'shim',
          '-include',
          'malloc.h',
          '-D_GNU_SOURCE',
          `-DCONFIG_VERSION="${readFileSync(join(here, 'quickjs/src/VERSION'), 'utf8').trim()}"`,
          '-w',
        ],
      })),
      { file: 'embed.c', flags: ['-Isrc', '-isystem', 'shim', '-Wall', '-Werror'] },
    ],
  },
  lua: {
    dir: join(here, 'lua'),
    // Lua 5.4 from playground/lua/src (unmodified), without its stand-alone interpreter lua.c; setjmp/longjmp
    // through Wasm exception handling with playground/lua/compat's runtime, and the luaconf hooks for what
    // WASI lacks, as in playground/lua/build.mjs.
    units: [
      ...readdirSync(join(here, '../../playground/lua/src'))
        .filter((name) => name.endsWith('.c') && name !== 'lua.c')
        .sort()
        .map((name) => `../../../playground/lua/src/${name}`),
      '../../../playground/lua/compat/sjlj.c',
      '../../../playground/lua/compat/tmpfile.c',
      'embed.c',
    ].map((file) => ({
      file,
      flags: [
        ...LUA_EH,
        '-isystem',
        '../../../playground/lua/compat',
        '-I../../../playground/lua/src',
        '-D_WASI_EMULATED_SIGNAL', // lstate.h uses sig_atomic_t from <signal.h>
        '-D_WASI_EMULATED_PROCESS_CLOCKS',
        '-DLUA_TMPNAMBUFSIZE=32',
        '-Dlua_tmpnam(b,e)={e=1;}',
        '-Dl_system(cmd)=((cmd)==NULL?0:-1)',
        '-Wno-deprecated-declarations',
        ...(file === 'embed.c' ? ['-Wall', '-Werror'] : []),
      ],
    })),
    link: [...LUA_EH, '-lwasi-emulated-signal', '-lwasi-emulated-process-clocks'],
  },
}

function run(exe, args, options) {
  const result = spawnSync(exe, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) {
    throw new Error(`Failed to run ${exe} ${args.join(' ')}: ${result.stderr || result.error}`)
  }
}

function build(name, { dir, units, link = [] }) {
  const work = mkdtempSync(join(tmpdir(), `real-${name}-`))
  try {
    const objects = units.map(({ file, flags }) => {
      const object = join(work, `${basename(file, '.c')}.o`)
      run(CLANG, [...COMMON, ...flags, '-c', file, '-o', object], { cwd: dir })
      return object
    })
    const plain = join(work, `${name}.wasm`)
    const empty = join(work, 'empty-path')
    mkdirSync(empty)
    const hidden = [...COMMON, ...LINK, STRIP_DEBUG, `-fuse-ld=${WASM_LD}`, ...objects, ...link, '-o', plain]
    run(CLANG_NO_WASM_OPT, hidden, {
      cwd: dir,
      env: { PATH: empty },
    })
    const users = join(work, `${name}.wasmopt.wasm`)
    run(CLANG, [...COMMON, ...LINK, ...objects, ...link, '-o', users], { cwd: dir })
    return [plain, users]
      .map((path) => ({ path, out: join(dir, path.slice(work.length + 1)) }))
      .map(({ path, out }) => ({ out, bytes: readFileSync(path) }))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
for (const name of wanted.length ? wanted : Object.keys(PROGRAMS)) {
  const program = PROGRAMS[name]
  if (!program) throw new Error(`Unknown program "${name}": choose from ${Object.keys(PROGRAMS).join(', ')}`)
  if (!existsSync(CLANG))
    throw new Error(
      `Failed to build "${name}": ${CLANG} is missing. Install clang-16, lld-16 and wasi-libc (apt-get)`,
    )
  const started = performance.now()
  let outdated = false
  for (const { out, bytes } of build(name, program)) {
    const old = existsSync(out) ? readFileSync(out) : undefined
    const same = old && Buffer.compare(old, bytes) === 0
    const label = out.slice(here.length + 1)
    if (same) console.log(`  unchanged ${label}`)
    else if (CHECK) {
      outdated = true
      console.log(`  OUTDATED  ${label}`)
    } else {
      writeFileSync(out, bytes)
      console.log(`  wrote     ${label} (${bytes.length} bytes)`)
    }
  }
  console.log(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  if (outdated) process.exitCode = 1
}
