// Firefox from Debian's firefox-esr, headless, driven over WebDriver BiDi by puppeteer-core (which never
// downloads a browser). Its pages are wrapped to answer like playwright's: same names, same arguments.
import puppeteer from 'puppeteer-core'
import { requireEngineFiles, TimeoutError } from './errors.mjs'
import { comboValues } from './keys.mjs'
import { FIREFOX_PATH } from './paths.mjs'

const DEFAULT_VIEWPORT = { width: 1280, height: 720 }
const DEFAULT_TIMEOUT = 30_000

/** @returns {Promise<import('../engines.mjs').Engine>} */
export async function launchFirefox() {
  requireEngineFiles('firefox')
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    defaultViewport: DEFAULT_VIEWPORT,
  })
  const [product, version] = (await browser.version()).split('/')
  return {
    name: 'firefox',
    version: `${product === 'firefox' ? 'Firefox' : product} ${version}`,
    /** @param {{ viewport?: { width: number, height: number } }} [options] */
    async newPage(options = {}) {
      const page = await browser.newPage()
      if (options.viewport) await page.setViewport(options.viewport)
      return new FirefoxPage(page)
    },
    close: () => browser.close(),
  }
}

/** Playwright's argument order and waiting rules over a puppeteer page. */
class FirefoxPage {
  /** @param {import('puppeteer-core').Page} page */
  constructor(page) {
    this.page = page
    this.keyboard = {
      /** @param {string} text */
      type: (text) => page.keyboard.type(text),
      /**
       * Playwright's key names (`'Space'`, `'KeyA'`, `'Shift+Tab'`) differ from puppeteer's; both pass a single
       * code point through to WebDriver BiDi as is, so send the WebDriver value of each key.
       * @param {string} combo
       */
      press: async (combo) => {
        const values = comboValues(combo)
        for (const value of values) await page.keyboard.down(value)
        for (const value of values.reverse()) await page.keyboard.up(value)
      },
    }
  }

  /**
   * `'pageerror'` (uncaught errors) or `'console'` (messages with `type()` and `text()`).
   * @param {'pageerror' | 'console'} event
   * @param {(value: any) => void} listener
   */
  on(event, listener) {
    this.page.on(event, event === 'pageerror' ? (error) => listener(asPlaywrightError(error)) : listener)
    return this
  }

  /** @param {string} url */
  async goto(url) {
    await this.page.goto(url, { waitUntil: 'load' })
  }

  /**
   * @param {Function | string} pageFunction
   * @param {unknown} [arg]
   */
  evaluate(pageFunction, arg) {
    return this.page.evaluate(pageFunction, arg)
  }

  /**
   * @param {Function | string} pageFunction
   * @param {unknown} [arg]
   * @param {{ timeout?: number, polling?: number | 'raf' }} [options]
   */
  async waitForFunction(pageFunction, arg, options = {}) {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT
    try {
      const handle = await this.page.waitForFunction(
        pageFunction,
        { timeout, polling: options.polling ?? 'raf' },
        arg,
      )
      return { jsonValue: () => handle.jsonValue() }
    } catch (error) {
      if (error?.name !== 'TimeoutError') throw error
      throw new TimeoutError(`page.waitForFunction: Timeout ${timeout}ms exceeded.`)
    }
  }

  /** Waits until `selector` matches (playwright's auto-waiting), then answers its textContent. */
  async textContent(selector) {
    const element = await this.page.waitForSelector(selector, { timeout: DEFAULT_TIMEOUT })
    try {
      return await element.evaluate((node) => node.textContent)
    } finally {
      await element.dispose()
    }
  }

  /** Waits until `selector` is visible and enabled, then clicks it like a user. */
  click(selector) {
    return this.page.locator(selector).setTimeout(DEFAULT_TIMEOUT).click()
  }

  /** @param {{ path?: string }} [options] */
  async screenshot(options = {}) {
    return Buffer.from(await this.page.screenshot({ path: options.path }))
  }

  close() {
    return this.page.close()
  }
}

/**
 * Puppeteer's BiDi page errors carry the whole `TypeError: late` (or `uncaught exception: late` for a thrown
 * non-Error) as the message of a plain Error; playwright's have the name and the message apart.
 * @param {Error} error
 */
function asPlaywrightError(error) {
  const match = /^(?:uncaught exception: |((?:[A-Z]\w*)?(?:Error|Exception)): )([\s\S]*)$/.exec(error.message)
  if (!match) return error
  const normalized = new Error(match[2], { cause: error })
  normalized.name = match[1] ?? ''
  normalized.stack = error.stack
  return normalized
}
