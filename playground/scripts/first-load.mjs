// `node scripts/first-load.mjs`: how long the playground takes to load in Vite dev, from navigation to the game
// waiting for input, in headless Chromium (JSPI). "cold": a fresh process with no plugin cache and no Vite cache, as
// on the first `pnpm dev`; "warm": a new server in the same process over the caches the cold load left. Prints both
// as JSON; run it a few times. A measurement for docs and reports, not a test: it asserts nothing about time.
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createServer } from 'vite'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

async function loadOnce(browser, cold) {
  if (cold) {
    rmSync(join(root, 'node_modules/.cache/unplugin-asyncify'), { recursive: true, force: true })
    rmSync(join(root, 'node_modules/.vite'), { recursive: true, force: true })
  }
  const server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, hmr: false },
  })
  await server.listen()
  const page = await browser.newPage()
  try {
    const started = performance.now()
    await page.goto(server.resolvedUrls.local[0])
    await page.waitForFunction(
      () => document.querySelector('#status')?.textContent === 'waiting for your name',
      null,
      {
        timeout: 120_000,
      },
    )
    return performance.now() - started
  } finally {
    await page.close()
    await server.close()
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
})
try {
  const coldMs = Math.round(await loadOnce(browser, true))
  const warmMs = Math.round(await loadOnce(browser, false))
  console.log(JSON.stringify({ coldMs, warmMs }))
} finally {
  await browser.close()
}
