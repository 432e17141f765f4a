// Plays the built playground in a headless browser, like a person would: types a name, starts the game,
// pauses and resumes it, eats the first food, steers into a wall and quits; then types into the Lua REPL
// page (scripts/demo-lua.mjs). It prints what it saw (the mode and where the unwind buffer went), saves
// screenshots per engine and exits non-zero when any check fails.
// Run: pnpm --filter playground demo (builds first), or `node scripts/demo.mjs` after `vite build`.
// The engine: `--browser firefox` (or DEMO_BROWSER=firefox): chromium (default), firefox, webkit, a
// comma-separated list, or all. Screenshots: playground/screenshot.png and screenshot-lua.png (Chromium),
// screenshot-<engine>.png and screenshot-lua-<engine>.png (Firefox, WebKitGTK).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ensureBrowsers } from '../../scripts/ensure-browsers.mjs'
import { launchEngine, parseEngineList } from '../../test/browser/engines.mjs'
import { describeUnwindBuffer } from '../../test/browser/unwind-buffer.mjs'
import { playLua } from './demo-lua.mjs'
import { serveStatic } from './static-server.mjs'

const dist = fileURLToPath(new URL('../dist', import.meta.url))
const shotPath = (name) => fileURLToPath(new URL(`../${name}.png`, import.meta.url))
/** The Snake and Lua screenshots of each engine (Chromium's keep the names the README links). */
const SCREENSHOTS = {
  chromium: [shotPath('screenshot'), shotPath('screenshot-lua')],
  firefox: [shotPath('screenshot-firefox'), shotPath('screenshot-lua-firefox')],
  webkit: [shotPath('screenshot-webkit'), shotPath('screenshot-lua-webkit')],
}
const STEP_TIMEOUT = 15_000
// DEMO_URL=http://127.0.0.1:5173 plays a running dev server (`pnpm dev`) instead of the build.
const DEMO_URL = process.env.DEMO_URL?.replace(/\/$/, '')

function fail(message) {
  console.error(`[demo] ${message}`)
  process.exit(1)
}

function check(condition, message) {
  if (!condition) throw new Error(message)
}

/** `--browser x`, `--browser=x` or DEMO_BROWSER; Chromium by default. */
function chosenEngines() {
  const args = process.argv.slice(2)
  const at = args.findIndex((arg) => arg === '--browser' || arg.startsWith('--browser='))
  const flag = at < 0 ? undefined : args[at].includes('=') ? args[at].split('=')[1] : args[at + 1]
  if (at >= 0 && !flag)
    fail('--browser needs a value: chromium, firefox, webkit, a comma-separated list or all')
  const [list, source] = flag ? [flag, '--browser'] : [process.env.DEMO_BROWSER || 'chromium', 'DEMO_BROWSER']
  try {
    return parseEngineList(list, source)
  } catch (error) {
    fail(error.message)
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const number = async (page, id) => Number(await page.textContent(`#${id}`))
const text = async (page, id) => (await page.textContent(`#${id}`))?.trim() ?? ''

/** Waits until #id's text satisfies `predicate` (a string of JS over `value`), naming the step on timeout. */
async function waitFor(page, step, id, predicate) {
  try {
    await page.waitForFunction(
      ([selector, body]) =>
        new Function('value', `return ${body}`)(document.querySelector(selector)?.textContent ?? ''),
      [`#${id}`, predicate],
      { timeout: STEP_TIMEOUT, polling: 50 },
    )
  } catch {
    throw new Error(
      `${step}: #${id} is "${await text(page, id)}" (status "${await text(page, 'status')}"), expected ${predicate}`,
    )
  }
}

/** Pixels in the snake's colours (body and head) on the canvas: proof that the C program drew through the imports. */
const snakePixels = (page) =>
  page.evaluate(() => {
    const canvas = document.querySelector('#screen')
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
    let count = 0
    const rgb = (i) => (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]
    for (let i = 0; i < data.length; i += 4) if (rgb(i) === 0x5ee27a || rgb(i) === 0xc8ffb0) count++
    return count
  })

// Only the methods of the engine layer's page (a subset of playwright's Page): it runs in every engine.
async function play(engine, origin, jspi, failureShot) {
  const page = await engine.newPage({ viewport: { width: 640, height: 900 } })
  const problems = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on(
    'console',
    (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`),
  )
  try {
    await page.goto(`${origin}/?jspi=${jspi}`)
    const hasJspi = await page.evaluate(() => typeof WebAssembly.Suspending === 'function')
    const expectedMode = jspi === 'off' || !hasJspi ? 'asyncify' : 'jspi'
    await waitFor(page, 'load the game', 'status', `value === 'waiting for your name'`)
    const mode = await text(page, 'mode')
    check(mode === expectedMode, `mode is "${mode}", expected "${expectedMode}"`)

    // read_line(): the C program is blocked until the form is submitted.
    await page.click('#line')
    await page.keyboard.type('Ada')
    await page.keyboard.press('Enter')
    await waitFor(page, 'read the name', 'status', `value === 'press a key to start'`)

    // read_key(): any key starts the round. ArrowRight keeps the snake heading towards the first food.
    await page.keyboard.press('ArrowRight')
    await waitFor(page, 'start the round', 'status', `value === 'playing'`)
    // A few frames, then pause at once: the snake moves on time (110 ms a cell), not on frames, and a slow
    // engine (WebKitGTK draws ~7 frames a second here) would otherwise reach the wall before the pause.
    await waitFor(page, 'render frames', 'frames', 'Number(value) >= 3')
    const pixels = await snakePixels(page)
    check(pixels >= 500, `the canvas shows ${pixels} snake pixels, expected a drawn snake (3 cells or more)`)

    // Pausing blocks the main loop inside read_key(): no frame may be rendered until the next key.
    await page.keyboard.press('p')
    await waitFor(page, 'pause', 'status', `value === 'paused'`)
    const pausedAt = await number(page, 'frames')
    await sleep(500)
    const stillAt = await number(page, 'frames')
    check(
      stillAt === pausedAt,
      `frames went from ${pausedAt} to ${stillAt} while paused: read_key() did not block`,
    )
    await page.keyboard.press('Space')
    await waitFor(page, 'resume', 'status', `value === 'playing'`)
    // one new frame proves the loop runs again (a slow engine may see few before the snake reaches a wall)
    await waitFor(page, 'render after resuming', 'frames', `Number(value) > ${stillAt}`)
    await waitFor(page, 'eat the first food', 'score', 'Number(value) >= 10')

    // Steer down into the bottom wall, then quit from the game-over prompt.
    await page.keyboard.press('ArrowDown')
    await waitFor(page, 'crash into the wall', 'status', `value === 'game over'`)
    await page.keyboard.press('q')
    await waitFor(page, 'quit', 'final', `value.startsWith('game over')`)
    check((await text(page, 'status')) === 'finished', 'status is not "finished" after quitting')

    const buffer = JSON.parse(await page.evaluate(() => document.querySelector('#mode').dataset.unwindBuffer))
    const result = {
      mode,
      unwindBuffer: describeUnwindBuffer(buffer),
      frames: await number(page, 'frames'),
      score: await number(page, 'score'),
      length: await number(page, 'length'),
      keys: await number(page, 'keys'),
      lastKey: await text(page, 'last-key'),
      final: await text(page, 'final'),
      pausedFrames: `${pausedAt} -> ${stillAt} over 500 ms`,
      snakePixels: pixels,
    }
    check(buffer.mode === mode, `the instance says mode "${buffer.mode}", the page "${mode}"`)
    check((buffer.unwindBuffer === null) === (mode === 'jspi'), `unwind buffer: ${result.unwindBuffer}`)
    check(result.keys === 5, `${result.keys} keys were read, expected 5 (ArrowRight, p, Space, ArrowDown, q)`)
    check(result.lastKey === 'q', `last key is "${result.lastKey}", expected "q"`)
    check(result.length >= 4, `the snake is ${result.length} cells long, expected it to have grown`)
    check(problems.length === 0, problems.join('\n'))
    return { page, result, hasJspi }
  } catch (error) {
    error.message = `[${engine.name} jspi=${jspi}] ${error.message}${problems.length ? `\n${problems.join('\n')}` : ''}`
    await page.screenshot({ path: failureShot }).catch(() => {})
    throw error
  }
}

/**
 * Plays both pages with JSPI where the engine has it, then the Asyncify build (DEMO_JSPI=off plays one; an
 * engine without JSPI plays `auto` only, which is Asyncify there).
 */
async function playIn(name, origin) {
  const failureShot = shotPath(`screenshot-tmp-failure-${name}`)
  const [snakeShot, luaShot] = SCREENSHOTS[name]
  const engine = await launchEngine(name)
  try {
    console.log(`[demo] playing ${origin}${DEMO_URL ? '' : ` (${dist})`} in ${engine.version}`)
    let modes = process.env.DEMO_JSPI ? [process.env.DEMO_JSPI] : ['auto', 'off']
    for (const jspi of modes) {
      const started = performance.now()
      const { page, result, hasJspi } = await play(engine, origin, jspi, failureShot).catch((error) => {
        console.error(`[demo] screenshot of the failure: ${failureShot}`)
        throw error
      })
      console.log(`[demo] ${name} jspi=${jspi}: played in ${Math.round(performance.now() - started)} ms`)
      for (const [key, value] of Object.entries(result)) console.log(`  ${key.padEnd(12)} ${value}`)
      if (jspi === 'auto') {
        await page.screenshot({ path: snakeShot })
        console.log(`[demo] screenshot: ${snakeShot}`)
      }
      await page.close()
      if (jspi === 'auto' && !hasJspi && modes.includes('off')) {
        console.log(
          `[demo] ${name} jspi=off: skipped, ${engine.version} has no JSPI: jspi=auto already ran Asyncify`,
        )
        modes = ['auto']
        break
      }
    }
    console.log(`[demo] OK (${name}): the synchronous C game ran with blocking frames, keys and text input`)
    // The second page: the unmodified Lua interpreter, a WASI command, in a terminal (scripts/demo-lua.mjs).
    for (const jspi of modes) {
      const page = await engine.newPage({ viewport: { width: 800, height: 820 } })
      const started = performance.now()
      const result = await playLua(page, origin, {
        jspi,
        screenshot: jspi === 'auto' ? luaShot : undefined,
      }).catch(async (error) => {
        await page.screenshot({ path: failureShot }).catch(() => {})
        console.error(`[demo] screenshot of the failure: ${failureShot}`)
        error.message = `[${name} lua jspi=${jspi}] ${error.message}`
        throw error
      })
      console.log(`[demo] ${name} lua jspi=${jspi}: played in ${Math.round(performance.now() - started)} ms`)
      for (const [key, value] of Object.entries(result)) console.log(`  ${key.padEnd(12)} ${value}`)
      await page.close()
    }
    console.log(
      `[demo] OK (${name}): the unmodified Lua interpreter read the terminal through blocking WASI stdin`,
    )
  } finally {
    await engine.close()
  }
}

const engines = chosenEngines()
if (!DEMO_URL && !existsSync(`${dist}/index.html`))
  fail(
    `Failed to find "${dist}/index.html": the playground is not built. Run \`pnpm --filter playground build\`.`,
  )
try {
  ensureBrowsers(engines)
} catch (error) {
  fail(error.message)
}

const server = DEMO_URL ? { origin: DEMO_URL, close: async () => {} } : await serveStatic(dist)
let failed = false
try {
  for (const name of engines) await playIn(name, server.origin)
  console.log(`[demo] OK (${engines.join(', ')})`)
} catch (error) {
  failed = true
  console.error(`[demo] FAILED ${error.message}`)
} finally {
  await server.close()
}
process.exit(failed ? 1 : 0)
