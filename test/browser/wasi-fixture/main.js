// blocking.c, unmodified, in the browser: the named export `_start` with WASI from the plugin config
// (args ['blocking', 'echo'] and wasi-options.js), then `init()` instances with per-instance WASI options.
// Writes 'OK' or the first failed check into #result; `?jspi=off` runs the init() instances with Asyncify.
import { _start } from './blocking.wasm?asyncify'
import init from './blocking.wasm?asyncify&init'
import { LINES, output } from './wasi-options.js'

const jspi = new URLSearchParams(location.search).get('jspi') ?? 'auto'
const failures = []
const check = (ok, message) => ok || failures.push(message)
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

async function run(args, wasi = {}) {
  const stdout = []
  const stderr = []
  const instance = await init(undefined, {
    jspi,
    wasi: {
      args: ['blocking', ...args],
      stdout: (l) => stdout.push(l),
      stderr: (l) => stderr.push(l),
      ...wasi,
    },
  })
  document.querySelector('#mode').textContent = instance.mode
  const { exitCode } = await instance.exports._start()
  return { exitCode, stdout, stderr, instance }
}

async function main() {
  // Named export, WASI options from the plugin config: many slow lines through a function stdin.
  const echoed = await _start()
  check(echoed.exitCode === 0, `named _start resolved ${JSON.stringify(echoed)}`)
  check(
    same(
      output.stdout,
      LINES.map((line, i) => `${i + 1}: ${line.toUpperCase()}`),
    ),
    `named echo printed ${JSON.stringify(output.stdout.slice(0, 3))}…`,
  )
  check(same(output.stderr, ['read 30 lines']), `named echo stderr ${JSON.stringify(output.stderr)}`)

  // sleep(1): a second of wall time, with the page's event loop running all along.
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const started = performance.now()
  const slept = await run(['sleep'])
  const wall = performance.now() - started
  clearInterval(timer)
  const reported = Number(/sleep took (\d+) ms/.exec(slept.stdout[0] ?? '')?.[1])
  check(wall >= 1000 && reported >= 1000, `sleep(1) took ${wall} ms (program: ${reported} ms)`)
  check(ticks > 20, `only ${ticks} timer ticks during sleep(1): the page was blocked`)

  // A file of the in-memory file system, and the program's own file.
  const cat = await run(['cat', '/in.txt'], { files: { '/in.txt': 'from the page\n' } })
  check(
    same(cat.stdout, ['from the page', 'reread: written by the program']) && cat.exitCode === 0,
    `cat ${JSON.stringify(cat)}`,
  )
  const missing = await run(['cat', '/nope'])
  check(
    missing.exitCode === 2 && same(missing.stderr, ['/nope: No such file or directory']),
    `missing ${missing.exitCode} ${JSON.stringify(missing.stderr)}`,
  )

  // exit() from deep inside, then the exited state.
  const exited = await run(['exit'], { stdin: '5\n' })
  check(
    exited.exitCode === 5 && same(exited.stdout, ['before', 'exiting with 5']),
    `exit ${JSON.stringify(exited)}`,
  )
  const again = await exited.instance.exports._start().catch((error) => error)
  check(again?.code === 'WASI_EXITED' && again.exitCode === 5, `second _start: ${again?.message ?? again}`)
  check(exited.instance.exitCode === 5, `instance.exitCode ${exited.instance.exitCode}`)
  return failures.length ? failures.join('; ') : 'OK'
}

main().then(
  (result) => {
    document.querySelector('#result').textContent = result
  },
  (error) => {
    document.querySelector('#result').textContent = `threw ${error?.code ?? ''} ${error?.stack ?? error}`
  },
)
