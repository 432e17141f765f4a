// A thin client of WebDriver classic (https://w3c.github.io/webdriver/), the protocol WebKitGTK's
// WebKitWebDriver speaks: one JSON request per command over HTTP. Only the commands the engine layer uses.

/** An error answered by the driver: `error` is the spec's error code (`no such element`, `timeout`…). */
export class WebDriverError extends Error {
  /**
   * @param {string} command
   * @param {string} error
   * @param {string} message
   */
  constructor(command, error, message) {
    super(`WebDriver ${command} failed: ${error}: ${message}`)
    this.name = 'WebDriverError'
    this.error = error
  }
}

export class WebDriverSession {
  /**
   * @param {string} origin the driver's `http://host:port`
   * @param {string} id
   * @param {Record<string, unknown>} capabilities what the driver matched
   */
  constructor(origin, id, capabilities) {
    this.origin = origin
    this.id = id
    this.capabilities = capabilities
    /** @type {Promise<unknown>} commands run one at a time: the protocol has one current window */
    this.tail = Promise.resolve()
  }

  /**
   * Creates a session: starts the browser the capabilities describe.
   * @param {string} origin
   * @param {Record<string, unknown>} alwaysMatch
   */
  static async create(origin, alwaysMatch) {
    const value = await request(origin, 'POST', '/session', { capabilities: { alwaysMatch } })
    return new WebDriverSession(origin, value.sessionId, value.capabilities)
  }

  /**
   * Sends one command of this session, after the ones already sent have answered.
   * @param {'GET' | 'POST' | 'DELETE'} method
   * @param {string} path below `/session/{id}`
   * @param {unknown} [body]
   * @returns {Promise<any>} the answer's `value`
   */
  command(method, path, body) {
    const run = () => request(this.origin, method, `/session/${this.id}${path}`, body)
    const result = this.tail.then(run, run)
    this.tail = result.catch(() => {})
    return result
  }

  /** Ends the session: the driver closes the browser. */
  delete() {
    return this.command('DELETE', '')
  }
}

/**
 * @param {string} origin
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
export async function request(origin, method, path, body) {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let answer
  try {
    answer = JSON.parse(text)
  } catch {
    throw new WebDriverError(`${method} ${path}`, 'invalid answer', `HTTP ${response.status}: ${text}`)
  }
  if (!response.ok) {
    const { error = `HTTP ${response.status}`, message = text } = answer?.value ?? {}
    throw new WebDriverError(`${method} ${path}`, error, message)
  }
  return answer.value
}
