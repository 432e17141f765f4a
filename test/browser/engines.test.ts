// The engine layer itself, in every engine: each page method behaves like playwright's (the demo and the
// browser tests rely on that), and each engine has the WebAssembly features docs/engines.md lists.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireExecutable } from './engines/errors.mjs'
import { keyValue } from './engines/keys.mjs'
import { type Engine, type EngineName, type EnginePage, launchEngine, testedEngines } from './engines.mjs'
import { ENGINE_FEATURES, probeFeatures } from './features.mjs'

// A page with something to type into, a button and a paragraph that appear only after 300 ms (clicks and
// reads must wait for them, as playwright's do), and a log of the keys it saw.
const PAGE = `<!doctype html><meta charset="utf-8"><title>engine page</title><link rel="icon" href="data:,">
<input id="line"><p id="keys"></p><p id="clicks">0</p><button id="later" hidden>later</button>
<script>
const keys = []
addEventListener('keydown', (event) => {
  keys.push(event.key)
  document.querySelector('#keys').textContent = JSON.stringify(keys)
})
const later = document.querySelector('#later')
later.addEventListener('click', () => {
  document.querySelector('#clicks').textContent = String(Number(document.querySelector('#clicks').textContent) + 1)
})
setTimeout(() => {
  later.hidden = false
  const appeared = document.createElement('p')
  appeared.id = 'appeared'
  appeared.textContent = 'appeared'
  document.body.append(appeared)
}, 300)
</script>`

const VERSION: Record<EngineName, RegExp> = {
  chromium: /^Chromium \d+\./,
  firefox: /^Firefox \d+\./,
  webkit: /^WebKitGTK \d+\./,
}

let server: Server
let origin: string

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url?.startsWith('/page')) response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
})

describe('engine layer', () => {
  it('maps playwright key names to WebDriver key values and rejects unknown ones', () => {
    expect(keyValue('Enter')).toBe('\uE006')
    expect(keyValue('Space')).toBe('\uE00D')
    expect(keyValue('F12')).toBe('\uE03C')
    expect(keyValue('KeyQ')).toBe('q')
    expect(keyValue('Digit7')).toBe('7')
    expect(keyValue('é')).toBe('é')
    expect(() => keyValue('Return')).toThrow(/Unknown key "Return"/)
  })

  it('names the missing browser, its Debian package and the script that installs it', () => {
    expect(() => requireExecutable('firefox', '/nowhere/firefox-esr', 'firefox-esr')).toThrow(
      'Failed to launch firefox: "/nowhere/firefox-esr" is missing. Run `node scripts/ensure-browsers.mjs firefox` from the repository root (as root it runs `apt-get install firefox-esr`).',
    )
  })
})

describe.each(testedEngines())('%s', (name: EngineName) => {
  let engine: Engine
  let page: EnginePage

  beforeAll(async () => {
    engine = await launchEngine(name)
    page = await engine.newPage({ viewport: { width: 640, height: 360 } })
    await page.goto(`${origin}/page`)
  })

  afterAll(async () => {
    await engine?.close()
  })

  it('names its version', () => {
    expect(engine.version).toMatch(VERSION[name])
  })

  it('has the WebAssembly features docs/engines.md lists', async () => {
    const features = await probeFeatures(page)
    console.log(`[${engine.version}] ${JSON.stringify(features)}`)
    expect(features).toEqual(ENGINE_FEATURES[name])
  })

  it('evaluates functions with an argument, expressions, promises and undefined; rejects what throws', async () => {
    expect(await page.evaluate((n: number) => n + 1, 41)).toBe(42)
    expect(await page.evaluate('document.title')).toBe('engine page')
    expect(await page.evaluate(async () => ({ list: [1, 'two', null] }))).toEqual({ list: [1, 'two', null] })
    expect(await page.evaluate(() => undefined)).toBeUndefined()
    await expect(
      page.evaluate(() => {
        throw new Error('thrown inside')
      }),
    ).rejects.toThrow(/thrown inside/)
  })

  it('waits for what appears later: textContent, click, waitForFunction', async () => {
    expect(await page.textContent('#appeared')).toBe('appeared')
    await page.click('#later')
    expect(await page.textContent('#clicks')).toBe('1')
    const handle = await page.waitForFunction(
      (id: string) => document.getElementById(id)?.textContent === '1' && document.getElementById(id)?.id,
      'clicks',
    )
    expect(await handle.jsonValue()).toBe('clicks')
    const error = await page
      .waitForFunction(() => false, undefined, { timeout: 200, polling: 50 })
      .catch((e: Error) => e)
    expect(error).toMatchObject({
      name: 'TimeoutError',
      message: expect.stringMatching(/Timeout 200ms exceeded/),
    })
  })

  it('types into the focused element and presses named keys and combinations', async () => {
    await page.click('#line')
    await page.keyboard.type('Ab c')
    expect(await page.evaluate(() => (document.querySelector('#line') as HTMLInputElement).value)).toBe(
      'Ab c',
    )
    await page.evaluate(() => (document.activeElement as HTMLElement).blur())
    for (const key of ['Enter', 'ArrowUp', 'Space', 'Shift+KeyA', 'Escape']) await page.keyboard.press(key)
    expect(JSON.parse((await page.textContent('#keys')) ?? '[]')).toEqual([
      ...['A', 'b', ' ', 'c'],
      ...['Enter', 'ArrowUp', ' ', 'Shift', 'A', 'Escape'],
    ])
  })

  it('saves a PNG screenshot of the viewport', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'engine-shot-'))
    try {
      const path = join(dir, 'shot.png')
      const returned = await page.screenshot({ path })
      const png = await readFile(path)
      expect(Buffer.from(returned)).toEqual(png)
      expect(png.subarray(1, 4).toString()).toBe('PNG')
      // IHDR: width and height, big-endian, at bytes 16 and 20
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([640, 360])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('reports uncaught errors, unhandled rejections and console errors, not other console messages', async () => {
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`page error: ${error.name}: ${error.message}`))
    page.on('console', (message) => problems.push(`console ${message.type()}: ${message.text()}`))
    await page.evaluate(() => {
      setTimeout(() => {
        throw new TypeError('thrown later')
      })
      Promise.reject(new RangeError('rejected'))
      console.error('logged', 42)
      console.log('just a log')
    })
    const errors = () => problems.filter((problem) => !problem.startsWith('console log')).sort()
    // WebKit hands over what the page recorded with the next command: evaluate once per poll
    await expect
      .poll(
        async () => {
          await page.evaluate(() => 0)
          return errors()
        },
        { timeout: 10_000 },
      )
      .toEqual([
        'console error: logged 42',
        'page error: RangeError: rejected',
        'page error: TypeError: thrown later',
      ])
  })

  it('keeps two pages apart and closes one without the other', async () => {
    const second = await engine.newPage()
    await second.goto(`${origin}/page?second`)
    expect(await second.evaluate(() => location.search)).toBe('?second')
    expect(await page.evaluate(() => location.search)).toBe('')
    await second.close()
    expect(await page.textContent('#clicks')).toBe('1')
  })
})
