// Plays the built playground in headless Chromium, like a person would: types a name, starts the game,
// pauses and resumes it, eats the first food, steers into a wall and quits. It prints what it saw, saves
// playground/screenshot.png and exits non-zero when any check fails.
// Run: pnpm --filter playground demo (builds first), or `node scripts/demo.mjs` after `vite build`.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { playLua } from './demo-lua.mjs'
import { serveStatic } from './static-server.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const dist = fileURLToPath(new URL('../dist', import.meta.url))
const screenshot = fileURLToPath(new URL('../screenshot.png', import.meta.url))
const luaScreenshot = fileURLToPath(new URL('../screenshot-lua.png', import.meta.url))
const failureShot = fileURLToPath(new URL('../screenshot-tmp-failure.png', import.meta.url))
const STEP_TIMEOUT = 15_000
// Each game runs twice: JSPI where Chromium has it, then the Asyncify build. DEMO_JSPI=off plays one.
const JSPI_MODES = process.env.DEMO_JSPI ? [process.env.DEMO_JSPI] : ['auto', 'off']
// DEMO_URL=http://127.0.0.1:5173 plays a running dev server (`pnpm dev`) instead of the build.
const DEMO_URL = process.env.DEMO_URL?.replace(/\/$/, '')

if (!DEMO_URL && !existsSync(`${dist}/index.html`))
  fail(
    `Failed to find "${dist}/index.html": the playground is not built. Run \`pnpm --filter playground build\`.`,
  )
if (!existsSync(CHROMIUM))
  fail(
    `Failed to find Chromium at "${CHROMIUM}". Run \`node scripts/ensure-chromium.mjs\` from the repository root.`,
  )

function fail(message) {
  console.error(`[demo] ${message}`)
  process.exit(1)
}

function check(condition, message) {
  if (!condition) throw new Error(message)
}

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

async function play(browser, origin, jspi) {
  const page = await browser.newPage({ viewport: { width: 640, height: 900 } })
  const problems = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on(
    'console',
    (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`),
  )
  const expectedMode =
    jspi === 'off'
      ? 'asyncify'
      : await page.evaluate(() => 'Suspending' in WebAssembly).then((has) => (has ? 'jspi' : 'asyncify'))
  try {
    await page.goto(`${origin}/?jspi=${jspi}`)
    await waitFor(page, 'load the game', 'status', `value === 'waiting for your name'`)
    const mode = await text(page, 'mode')
    check(mode === expectedMode, `mode is "${mode}", expected "${expectedMode}"`)

    // read_line(): the C program is blocked until the form is submitted.
    await page.fill('#line', 'Ada')
    await page.press('#line', 'Enter')
    await waitFor(page, 'read the name', 'status', `value === 'press a key to start'`)

    // read_key(): any key starts the round. ArrowRight keeps the snake heading towards the first food.
    await page.keyboard.press('ArrowRight')
    await waitFor(page, 'start the round', 'status', `value === 'playing'`)
    await waitFor(page, 'render frames', 'frames', 'Number(value) >= 20')
    const pixels = await snakePixels(page)
    check(pixels >= 500, `the canvas shows ${pixels} snake pixels, expected a drawn snake (3 cells or more)`)

    // Pausing blocks the main loop inside read_key(): no frame may be rendered until the next key.
    await page.keyboard.press('p')
    await waitFor(page, 'pause', 'status', `value === 'paused'`)
    const pausedAt = await number(page, 'frames')
    await page.waitForTimeout(500)
    const stillAt = await number(page, 'frames')
    check(
      stillAt === pausedAt,
      `frames went from ${pausedAt} to ${stillAt} while paused: read_key() did not block`,
    )
    await page.keyboard.press('Space')
    await waitFor(page, 'resume', 'status', `value === 'playing'`)
    await waitFor(page, 'render after resuming', 'frames', `Number(value) > ${stillAt + 5}`)
    await waitFor(page, 'eat the first food', 'score', 'Number(value) >= 10')

    // Steer down into the bottom wall, then quit from the game-over prompt.
    await page.keyboard.press('ArrowDown')
    await waitFor(page, 'crash into the wall', 'status', `value === 'game over'`)
    await page.keyboard.press('q')
    await waitFor(page, 'quit', 'final', `value.startsWith('game over')`)
    check((await text(page, 'status')) === 'finished', 'status is not "finished" after quitting')

    const result = {
      mode,
      frames: await number(page, 'frames'),
      score: await number(page, 'score'),
      length: await number(page, 'length'),
      keys: await number(page, 'keys'),
      lastKey: await text(page, 'last-key'),
      final: await text(page, 'final'),
      pausedFrames: `${pausedAt} -> ${stillAt} over 500 ms`,
      snakePixels: pixels,
    }
    check(result.keys === 5, `${result.keys} keys were read, expected 5 (ArrowRight, p, Space, ArrowDown, q)`)
    check(result.lastKey === 'q', `last key is "${result.lastKey}", expected "q"`)
    check(result.length >= 4, `the snake is ${result.length} cells long, expected it to have grown`)
    check(problems.length === 0, problems.join('\n'))
    return { page, result }
  } catch (error) {
    error.message = `[jspi=${jspi}] ${error.message}${problems.length ? `\n${problems.join('\n')}` : ''}`
    await page.screenshot({ path: failureShot }).catch(() => {})
    throw error
  }
}

const server = DEMO_URL ? { origin: DEMO_URL, close: async () => {} } : await serveStatic(dist)
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
let failed = false
try {
  console.log(
    `[demo] playing ${server.origin}${DEMO_URL ? '' : ` (${dist})`} in Chromium ${browser.version()}`,
  )
  for (const jspi of JSPI_MODES) {
    const started = performance.now()
    const { page, result } = await play(browser, server.origin, jspi)
    console.log(`[demo] jspi=${jspi}: played in ${Math.round(performance.now() - started)} ms`)
    for (const [key, value] of Object.entries(result)) console.log(`  ${key.padEnd(12)} ${value}`)
    if (jspi === 'auto') {
      await page.screenshot({ path: screenshot })
      console.log(`[demo] screenshot: ${screenshot}`)
    }
    await page.close()
  }
  console.log('[demo] OK: the synchronous C game ran with blocking frames, keys and text input')
  // The second page: the unmodified Lua interpreter, a WASI command, in a terminal (scripts/demo-lua.mjs).
  for (const jspi of JSPI_MODES) {
    const page = await browser.newPage({ viewport: { width: 800, height: 820 } })
    const started = performance.now()
    const result = await playLua(page, server.origin, {
      jspi,
      screenshot: jspi === 'auto' ? luaScreenshot : undefined,
    }).catch(async (error) => {
      await page.screenshot({ path: failureShot }).catch(() => {})
      error.message = `[lua jspi=${jspi}] ${error.message}`
      throw error
    })
    console.log(`[demo] lua jspi=${jspi}: played in ${Math.round(performance.now() - started)} ms`)
    for (const [key, value] of Object.entries(result)) console.log(`  ${key.padEnd(12)} ${value}`)
    await page.close()
  }
  console.log('[demo] OK: the unmodified Lua interpreter read the terminal through blocking WASI stdin')
} catch (error) {
  failed = true
  console.error(`[demo] FAILED ${error.message}`)
  console.error(`[demo] screenshot of the failure: ${failureShot}`)
} finally {
  await browser.close()
  await server.close()
}
process.exit(failed ? 1 : 0)
