// The stock Lua interpreter as a terminal REPL. No glue for stdin, stdout or exit here: the WASI layer the
// plugin wires in for lua.wasm does it. We only say where stdin comes from and where output goes.
import '@xterm/xterm/css/xterm.css'
import init from '../lua/lua.wasm?asyncify&init'
import { createLineTerminal } from './terminal.ts'

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (!found) throw new Error(`#${id} is missing from lua.html`)
  return found as T
}

const show = (id: string, value: string) => {
  element(id).textContent = value
}

/** A script in the in-memory file system: `dofile("/examples/fib.lua")` runs it. */
const FIB = `local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
for _, n in ipairs({ 10, 20, 25 }) do
  print(("fib(%d) = %d"):format(n, fib(n)))
end
`

const jspi = new URLSearchParams(location.search).get('jspi') === 'off' ? 'off' : 'auto'
const terminal = createLineTerminal(element('terminal'), element('transcript'))
let generation = 0

terminal.onWaiting((waiting) => show('lua-status', waiting ? 'waiting for input' : 'running'))

async function run(): Promise<void> {
  const mine = ++generation
  terminal.clear()
  show('lua-status', 'loading')
  const output = {
    write(bytes: Uint8Array) {
      if (mine !== generation) return // an old instance still printing
      terminal.write(bytes)
    },
  }
  const lua = await init(undefined, {
    jspi,
    wasi: {
      args: ['lua'],
      env: { LUA_INIT: 'print("LUA_INIT ran: " .. _VERSION)' },
      stdin: () => terminal.readLine(),
      stdout: output,
      stderr: output,
      files: { '/examples/fib.lua': FIB },
    },
  })
  show('lua-mode', lua.mode)
  show('lua-status', 'running')
  const { exitCode } = await lua.exports._start()
  if (mine === generation) show('lua-status', `exited with code ${exitCode}`)
}

function fail(error: unknown): void {
  const box = element('error')
  box.hidden = false
  box.textContent = error instanceof Error ? (error.stack ?? error.message) : String(error)
  show('lua-status', 'error')
  console.error(error)
}

element('restart').addEventListener('click', () => run().catch(fail))
run().catch(fail)
