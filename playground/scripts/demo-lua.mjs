// Plays the Lua page of the built playground: types into the terminal like a person would and checks the
// interpreter's answers. It uses only page.goto, page.evaluate, page.waitForFunction, page.click,
// page.textContent, page.keyboard.type, page.keyboard.press and page.screenshot({ path }), so any object
// with those methods of playwright's Page (another browser driver) can play it.
// Called by scripts/demo.mjs; returns what it saw, throws with the failing step otherwise.

const STEP_TIMEOUT = 15_000

/** The text of #transcript: everything the terminal showed, typed input included. */
const transcript = async (page) => (await page.textContent('#transcript')) ?? ''

/** Waits until the transcript satisfies `predicate` (JS over `text`), naming the step on timeout. */
async function waitForText(page, step, predicate) {
  try {
    await page.waitForFunction(
      (body) =>
        new Function('text', `return ${body}`)(document.querySelector('#transcript')?.textContent ?? ''),
      predicate,
      { timeout: STEP_TIMEOUT, polling: 50 },
    )
  } catch {
    const tail = (await transcript(page)).slice(-300)
    const status = await page.textContent('#lua-status')
    throw new Error(
      `${step}: expected the terminal to show ${predicate}; status "${status}", last output:\n${tail}`,
    )
  }
}

/** Waits for the REPL's prompt after `count` prompts were shown so far, i.e. the line was evaluated. */
const prompts = (text) => text.split('\n> ').length - 1 + (text.startsWith('> ') ? 1 : 0)

async function enter(page, line) {
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}

/**
 * Plays the REPL at `${baseUrl}/lua.html?jspi=…` and returns a summary. `options.jspi`: 'auto' (JSPI where the
 * browser has it) or 'off' (the Asyncify build); `options.screenshot`: a path to save the page to at the end.
 */
export async function playLua(page, baseUrl, options = {}) {
  const jspi = options.jspi ?? 'auto'
  const expectedMode =
    jspi === 'off'
      ? 'asyncify'
      : (await page.evaluate(() => 'Suspending' in WebAssembly))
        ? 'jspi'
        : 'asyncify'
  await page.goto(`${baseUrl.replace(/\/$/, '')}/lua.html?jspi=${jspi}`)
  await waitForText(page, 'start the interpreter', `text.includes('Lua 5.4.8') && text.endsWith('> ')`)
  const mode = (await page.textContent('#lua-mode'))?.trim()
  if (mode !== expectedMode) throw new Error(`mode is "${mode}", expected "${expectedMode}"`)
  const banner = await transcript(page)
  if (!banner.includes('LUA_INIT ran: Lua 5.4'))
    throw new Error('LUA_INIT from the WASI environment did not run')

  await page.click('#terminal')
  await enter(page, 'print(6 * 7)')
  await waitForText(page, 'evaluate an expression', `text.includes('print(6 * 7)\\n42\\n> ')`)

  // io.read(): the interpreter blocks in fgets until the next line; no prompt may appear meanwhile.
  await enter(page, 'name = io.read()')
  await waitForText(page, 'block in io.read()', `text.endsWith('name = io.read()\\n')`)
  const status = (await page.textContent('#lua-status'))?.trim()
  if (status !== 'waiting for input') throw new Error(`status is "${status}" while io.read() waits`)
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)))
  if (!(await transcript(page)).endsWith('name = io.read()\n'))
    throw new Error('io.read() returned without a line')
  await enter(page, 'Ada')
  await enter(page, 'print("hello, " .. name .. "!")')
  await waitForText(page, 'use the line io.read() returned', `text.includes('hello, Ada!\\n> ')`)

  // A statement over several lines: the REPL asks for more with '>>'.
  await enter(page, 'for i = 1, 3 do')
  await enter(page, '  print(i * i)')
  await enter(page, 'end')
  await waitForText(page, 'run a multi-line loop', `text.includes('1\\n4\\n9\\n> ')`)

  // A script from the in-memory file system.
  await enter(page, 'dofile("/examples/fib.lua")')
  await waitForText(page, 'run a script file', `text.includes('fib(25) = 75025\\n> ')`)

  // A runtime error goes to stderr (setjmp/longjmp inside the wasm) and the REPL goes on.
  await enter(page, 'error("boom")')
  await waitForText(page, 'report an error', `/boom[\\s\\S]*stack traceback[\\s\\S]*\\n> $/.test(text)`)
  const before = prompts(await transcript(page))

  await enter(page, 'os.exit(3)')
  await page.waitForFunction(
    () => document.querySelector('#lua-status')?.textContent === 'exited with code 3',
    undefined,
    { timeout: STEP_TIMEOUT, polling: 50 },
  )
  const final = await transcript(page)
  if (prompts(final) !== before) throw new Error('the interpreter printed a prompt after os.exit(3)')
  // the terminal really drew it: the rows of xterm.js hold the answers too
  const screen = (await page.textContent('.xterm-rows')) ?? ''
  for (const answer of ['42', 'hello, Ada!', 'fib(25) = 75025']) {
    if (!screen.includes(answer)) throw new Error(`the terminal screen does not show "${answer}"`)
  }
  if (options.screenshot) await page.screenshot({ path: options.screenshot })
  return {
    mode,
    lines: final.split('\n').length,
    status: (await page.textContent('#lua-status'))?.trim(),
    answers: '42, hello Ada, 1 4 9, fib(25) = 75025, boom, exit 3',
  }
}
