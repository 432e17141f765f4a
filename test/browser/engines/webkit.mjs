// WebKitGTK (the engine behind Safari) from Debian's webkit2gtk-driver: WebKitWebDriver starts the MiniBrowser
// that libwebkit2gtk ships, on a virtual X display (xvfb-run), and is driven over WebDriver classic.
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { requireEngineFiles, TimeoutError } from './errors.mjs'
import { pressActions, typeActions } from './keys.mjs'
import { MINIBROWSER_PATH, WEBKIT_DRIVER_PATH, XVFB_RUN_PATH } from './paths.mjs'
import { request, WebDriverError, WebDriverSession } from './webdriver.mjs'

const DEFAULT_VIEWPORT = { width: 1280, height: 720 }
/** How long a window resize may take to reach the page before setViewport gives up. */
const VIEWPORT_TIMEOUT = 10_000
const DEFAULT_TIMEOUT = 30_000
/** The page's record of uncaught errors and console errors (WebDriver classic has no events to listen to). */
const PROBLEMS_KEY = 'unplugin-asyncify.engine-problems'

/**
 * Runs `body` (a function's source) in the page with `args` and answers `{ value }`, `{ undefined: true }` or
 * `{ thrown }`, plus the problems the page recorded since the last call. One round trip per page operation.
 * (JSC's stack of eval'd code is only `@` lines: the name and message say more.)
 */
const RUN_IN_PAGE = `
const done = arguments[arguments.length - 1]
const args = Array.prototype.slice.call(arguments, 1, -1)
const drain = () => (window[Symbol.for(${JSON.stringify(PROBLEMS_KEY)})] || []).splice(0)
Promise.resolve()
  .then(() => (0, eval)('(' + arguments[0] + ')')(...args))
  .then(
    (value) => done(value === undefined ? { undefined: true, events: drain() } : { value, events: drain() }),
    (error) => done({ thrown: error instanceof Error ? error.name + ': ' + error.message : String(error), events: drain() }),
  )`

/** Page-side bodies for RUN_IN_PAGE (plain functions: only their source travels). */
const BODIES = {
  /** Records uncaught errors, unhandled rejections and console.error calls, once per document. */
  watch: (key) => {
    const slot = Symbol.for(key)
    if (window[slot]) return
    const seen = []
    window[slot] = seen
    const error = (value) =>
      value instanceof Error
        ? { kind: 'pageerror', name: value.name, text: value.message }
        : { kind: 'pageerror', name: '', text: String(value) }
    addEventListener('error', (event) => seen.push(error(event.error ?? event.message)))
    addEventListener('unhandledrejection', (event) => seen.push(error(event.reason)))
    const original = console.error
    console.error = function (...values) {
      seen.push({ kind: 'console', type: 'error', text: values.map(String).join(' ') })
      return original.apply(this, values)
    }
  },
  // the test's own code, sent as source: a function to call with `arg`, or an expression
  evaluate: (source, isFunction, arg) => {
    const value = Function(`return (${source})`)()
    return isFunction ? value(arg) : value
  },
  /** Polls `source` until it is truthy (`polling`: 'raf' or milliseconds), or answers `{ timedOut }`. */
  waitFor: (source, isFunction, arg, timeout, polling) =>
    new Promise((resolve, reject) => {
      const read = Function(`return (${source})`)
      const target = isFunction ? read() : undefined
      const deadline = timeout > 0 ? performance.now() + timeout : Number.POSITIVE_INFINITY
      // rAF stops in a hidden page; the timer keeps a 'raf' wait going there
      const next = (step) => {
        if (polling !== 'raf') return setTimeout(step, polling)
        let ran = false
        const once = () => {
          if (ran) return
          ran = true
          step()
        }
        requestAnimationFrame(once)
        setTimeout(once, 100)
      }
      const tick = async () => {
        try {
          const value = await (isFunction ? target(arg) : read())
          if (value) resolve({ value: JSON.parse(JSON.stringify(value) ?? 'null') })
          else if (performance.now() >= deadline) resolve({ timedOut: true })
          else next(tick)
        } catch (error) {
          reject(error)
        }
      }
      tick()
    }),
  /** Waits until `selector` matches, then answers its textContent (playwright's auto-waiting). */
  textContent: (selector, timeout) =>
    new Promise((resolve) => {
      const deadline = performance.now() + timeout
      const tick = () => {
        const element = document.querySelector(selector)
        if (element) resolve({ value: element.textContent })
        else if (performance.now() >= deadline) resolve({ timedOut: true })
        else setTimeout(tick, 20)
      }
      tick()
    }),
  innerSize: () => [innerWidth, innerHeight],
}

/** @returns {Promise<import('../engines.mjs').Engine>} */
export async function launchWebKit() {
  requireEngineFiles('webkit')
  const driver = await startDriver()
  let session
  try {
    session = await WebDriverSession.create(driver.origin, {
      'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
      // no script timeout: waitForFunction and textContent keep their own deadlines
      timeouts: { script: null, pageLoad: 60_000 },
    })
  } catch (error) {
    await driver.stop()
    throw new Error(`Failed to launch webkit: ${error.message}\n${driver.log()}`, { cause: error })
  }
  const engine = new WebKitEngine(session, driver)
  engine.spareWindow = await session.command('GET', '/window')
  return engine
}

class WebKitEngine {
  /**
   * @param {WebDriverSession} session
   * @param {{ stop: () => Promise<void> }} driver
   */
  constructor(session, driver) {
    this.name = 'webkit'
    this.version = `WebKitGTK ${session.capabilities.browserVersion}`
    this.session = session
    this.driver = driver
    /** A window no page uses: closing the last window would end the session, so it is kept blank instead. */
    this.spareWindow = undefined
    /** The session's current window. */
    this.current = undefined
    /** @type {Promise<unknown>} one page operation at a time: WebDriver has a single current window */
    this.tail = Promise.resolve()
  }

  /** Runs `operation` alone, in the window `handle`. */
  exclusive(handle, operation) {
    const run = async () => {
      if (this.current !== handle) {
        await this.session.command('POST', '/window', { handle })
        this.current = handle
      }
      return operation()
    }
    const result = this.tail.then(run, run)
    this.tail = result.catch(() => {})
    return result
  }

  /** @param {{ viewport?: { width: number, height: number } }} [options] */
  async newPage(options = {}) {
    let handle = this.spareWindow
    this.spareWindow = undefined
    handle ??= (await this.session.command('POST', '/window/new', { type: 'tab' })).handle
    const page = new WebKitPage(this, handle)
    await page.setViewport(options.viewport ?? DEFAULT_VIEWPORT)
    return page
  }

  async close() {
    try {
      await this.session.delete()
    } finally {
      await this.driver.stop()
    }
  }
}

class WebKitPage {
  /**
   * @param {WebKitEngine} engine
   * @param {string} handle
   */
  constructor(engine, handle) {
    this.engine = engine
    this.handle = handle
    /** @type {{ pageerror: ((error: Error) => void)[], console: ((message: object) => void)[] }} */
    this.listeners = { pageerror: [], console: [] }
    this.keyboard = {
      /** @param {string} text */
      type: (text) => this.keyActions(typeActions(text)),
      /** @param {string} key */
      press: (key) => this.keyActions(pressActions(key)),
    }
  }

  /** `'pageerror'` (an uncaught error or rejection) or `'console'` (a console.error call), from the load on. */
  on(event, listener) {
    this.listeners[event]?.push(listener)
    return this
  }

  command(method, path, body) {
    return this.engine.exclusive(this.handle, () => this.engine.session.command(method, path, body))
  }

  /** Runs one of BODIES in the page and reports the problems it recorded. */
  async run(body, ...args) {
    const answer = await this.command('POST', '/execute/async', {
      script: RUN_IN_PAGE,
      args: [body.toString(), ...args],
    })
    this.report(answer?.events ?? [])
    if (answer?.thrown !== undefined) throw new Error(answer.thrown)
    return answer?.undefined ? undefined : answer?.value
  }

  report(events) {
    for (const event of events) {
      if (event.kind === 'pageerror') {
        const error = new Error(event.text)
        error.name = event.name
        for (const listener of this.listeners.pageerror) listener(error)
      } else
        for (const listener of this.listeners.console)
          listener({ type: () => event.type, text: () => event.text })
    }
  }

  /**
   * Sizes the window so the page's viewport is `width`x`height`. GTK applies a resize asynchronously (the
   * WebDriver command returns before Xvfb's configure event reaches the page), so this waits for the page to
   * see the new size and asks again while it does not.
   */
  async setViewport({ width, height }) {
    const deadline = performance.now() + VIEWPORT_TIMEOUT
    let got = await this.run(BODIES.innerSize)
    while (got[0] !== width || got[1] !== height) {
      if (performance.now() >= deadline) {
        throw new Error(
          `Failed to set the webkit viewport to ${width}x${height}: after ${VIEWPORT_TIMEOUT} ms MiniBrowser's page still measures ${got[0]}x${got[1]}. A viewport narrower than MiniBrowser's toolbar cannot be set; use a larger one.`,
        )
      }
      const rect = await this.command('GET', '/window/rect')
      await this.command('POST', '/window/rect', {
        width: width + rect.width - got[0],
        height: height + rect.height - got[1],
      })
      const askedAt = performance.now()
      do {
        await new Promise((resolve) => setTimeout(resolve, 50))
        got = await this.run(BODIES.innerSize)
      } while ((got[0] !== width || got[1] !== height) && performance.now() - askedAt < 1000)
    }
  }

  /** @param {string} url */
  async goto(url) {
    await this.command('POST', '/url', { url })
    await this.run(BODIES.watch, PROBLEMS_KEY)
  }

  /**
   * @param {Function | string} pageFunction
   * @param {unknown} [arg]
   */
  async evaluate(pageFunction, arg) {
    const isFunction = typeof pageFunction === 'function'
    try {
      return await this.run(BODIES.evaluate, String(pageFunction), isFunction, arg ?? null)
    } catch (error) {
      throw new Error(`page.evaluate: ${error.message}`, { cause: error })
    }
  }

  /**
   * @param {Function | string} pageFunction
   * @param {unknown} [arg]
   * @param {{ timeout?: number, polling?: number | 'raf' }} [options]
   */
  async waitForFunction(pageFunction, arg, options = {}) {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT
    const answer = await this.run(
      BODIES.waitFor,
      String(pageFunction),
      typeof pageFunction === 'function',
      arg ?? null,
      timeout,
      options.polling ?? 'raf',
    )
    if (answer.timedOut) throw new TimeoutError(`page.waitForFunction: Timeout ${timeout}ms exceeded.`)
    return { jsonValue: async () => answer.value }
  }

  /** @param {string} selector */
  async textContent(selector) {
    const answer = await this.run(BODIES.textContent, selector, DEFAULT_TIMEOUT)
    if (answer.timedOut) {
      throw new TimeoutError(
        `page.textContent: Timeout ${DEFAULT_TIMEOUT}ms exceeded waiting for "${selector}".`,
      )
    }
    return answer.value
  }

  /** Finds `selector` and clicks it like a user, retrying while it is missing or not interactable. */
  async click(selector) {
    const deadline = performance.now() + DEFAULT_TIMEOUT
    for (;;) {
      try {
        const element = await this.command('POST', '/element', { using: 'css selector', value: selector })
        const id = Object.values(element)[0]
        await this.command('POST', `/element/${id}/click`, {})
        break
      } catch (error) {
        const retry = error instanceof WebDriverError && RETRY_CLICK.has(error.error)
        if (!retry) throw error
        if (performance.now() >= deadline) {
          throw new TimeoutError(
            `page.click: Timeout ${DEFAULT_TIMEOUT}ms exceeded waiting for "${selector}".`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    await this.run(BODIES.evaluate, 'undefined', false, null) // the problems the click caused
  }

  async keyActions(actions) {
    await this.command('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] })
    await this.command('DELETE', '/actions')
    await this.run(BODIES.evaluate, 'undefined', false, null)
  }

  /** @param {{ path?: string }} [options] */
  async screenshot(options = {}) {
    const png = Buffer.from(await this.command('GET', '/screenshot'), 'base64')
    if (options.path) await writeFile(options.path, png)
    return png
  }

  /** Closes the tab; the last one is kept blank instead (closing it would end the session). */
  async close() {
    this.listeners = { pageerror: [], console: [] }
    await this.engine.exclusive(this.handle, async () => {
      const { session } = this.engine
      const handles = await session.command('GET', '/window/handles')
      if (handles.length > 1) {
        await session.command('DELETE', '/window')
        this.engine.current = undefined
      } else {
        await session.command('POST', '/url', { url: 'about:blank' })
        this.engine.spareWindow = this.handle
      }
    })
  }
}

const RETRY_CLICK = new Set([
  'no such element',
  'element not interactable',
  'element click intercepted',
  'stale element reference',
])

/** WebKitWebDriver on its own virtual display, ready for a session. */
async function startDriver() {
  const port = await freePort()
  // -a picks a free display from -n up; a random start keeps two launches at once apart
  const display = 100 + Math.floor(Math.random() * 800)
  const child = spawn(
    XVFB_RUN_PATH,
    ['-a', '-n', String(display), '-s', '-screen 0 1920x1080x24', WEBKIT_DRIVER_PATH, `--port=${port}`],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  // Detached, so a test run that dies without close() would leave Xvfb and the browser behind: end them
  // when this process exits.
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {}
  }
  process.once('exit', killGroup)
  let running = true
  exited.then(() => {
    running = false
    process.off('exit', killGroup)
  })
  const driver = {
    origin: `http://127.0.0.1:${port}`,
    log: () => stderr,
    /** Ends xvfb-run's process group: Xvfb, the driver and any browser it left. */
    async stop() {
      if (!running) return
      killGroup()
      await exited
    },
  }
  const deadline = performance.now() + 30_000
  for (;;) {
    if (!running)
      throw new Error(`Failed to launch webkit: xvfb-run ${WEBKIT_DRIVER_PATH} exited.\n${stderr}`)
    try {
      const status = await request(driver.origin, 'GET', '/status')
      if (status?.ready) return driver
    } catch {}
    if (performance.now() >= deadline) {
      await driver.stop()
      throw new Error(`Failed to launch webkit: ${WEBKIT_DRIVER_PATH} did not answer within 30 s.\n${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
