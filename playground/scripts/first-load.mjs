// `node scripts/first-load.mjs`: how long the playground's pages take to load in Vite dev, from navigation to the
// program waiting for input (Snake: 5 kB of wasm; the Lua REPL: 640 kB), in headless Chromium (JSPI). "cold": a
// fresh process with no plugin cache and no Vite cache, as on the first `pnpm dev`; "warm": a new server in the same
// process over the caches the cold load left. Prints both as JSON; run it a few times. A measurement for docs and
// reports, not a test: it asserts nothing about time.
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createServer } from 'vite'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const PAGES = {
  snake: { path: '/', id: 'status', ready: 'waiting for your name' },
  lua: { path: '/lua.html', id: 'lua-status', ready: 'waiting for input' },
}

async function loadOnce(browser, cold, { path, id, ready }) {
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
    await page.goto(new URL(path, server.resolvedUrls.local[0]).href)
    await page.waitForFunction(
      ([id, ready]) => document.querySelector(`#${id}`)?.textContent === ready,
      [id, ready],
      {
        timeout: 300_000,
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
  const results = {}
  for (const [name, page] of Object.entries(PAGES)) {
    const coldMs = Math.round(await loadOnce(browser, true, page))
    const warmMs = Math.round(await loadOnce(browser, false, page))
    results[name] = { coldMs, warmMs }
  }
  console.log(JSON.stringify(results))
} finally {
  await browser.close()
}
