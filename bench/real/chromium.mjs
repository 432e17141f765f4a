// Figure (d) in Debian's Chromium (headless, through playwright-core from the test package): the deepest
// recursion of each program, original / asyncified / JSPI. Every request of the page is answered from disk by
// playwright's routing (repository files, and the binaries real.mjs built into `work`), so no server runs.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { extname, join, normalize, sep } from 'node:path'

const ORIGIN = 'http://bench.localhost'
const TYPES = {
  '.html': 'text/html',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
}
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** `{ [program]: browserDepths() }`, or `{ skipped }` without Chromium. */
export async function chromiumDepths(root, work, config) {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` }
  const { chromium } = createRequire(join(root, 'test/package.json'))('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage()
    const problems = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = decodeURIComponent(new URL(route.request().url()).pathname)
      if (path === '/') {
        return route.fulfill({ contentType: TYPES['.html'], body: PAGE })
      }
      const [base, rest] = path.startsWith('/work/') ? [work, path.slice(6)] : [root, path.slice(1)]
      const file = normalize(join(base, rest))
      if (!file.startsWith(normalize(base + sep))) return route.fulfill({ status: 403 })
      try {
        return route.fulfill({
          contentType: TYPES[extname(file)] ?? 'application/octet-stream',
          body: await readFile(file),
        })
      } catch {
        return route.fulfill({ status: 404 })
      }
    })
    await page.goto(`${ORIGIN}/`)
    const out = { version: browser.version() }
    for (const spec of config.programs) {
      const files = {
        original: `/work/${spec.name}.input.wasm`,
        asyncify: `/work/${spec.name}.default.wasm`,
        jspi: `/work/${spec.name}.default.jspi.wasm`,
        meta: `/work/${spec.name}.default.meta.json`,
      }
      const scriptsUrl = `/${spec.scripts.slice(root.length + 1)}`
      out[spec.name] = await page.evaluate(
        async (args) => (await import('/bench/real/browser-depth.mjs')).browserDepths(args),
        { scriptsUrl, files, depthStart: config.params.depthStart, warmUpMs: config.params.warmUpMs },
      )
    }
    if (problems.length) throw new Error(`Chromium page errors: ${problems.join('; ')}`)
    return out
  } finally {
    await browser.close()
  }
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">
{ "imports": { "@unplugin-asyncify/runtime": "/packages/runtime/dist/index.mjs" } }
</script>
<title>real programs: stack depth</title>`
