// Types of engines.mjs. EnginePage is a subset of playwright's Page: same names, arguments and results, so
// code written against it runs on a playwright Page as is (Chromium's pages *are* playwright pages).

export type EngineName = 'chromium' | 'firefox' | 'webkit'

export declare const ENGINE_NAMES: readonly ['chromium', 'firefox', 'webkit']

export interface Engine {
  name: EngineName
  /** Product and version, e.g. `Chromium 156.0.8078.108`, `Firefox 153.8.0`, `WebKitGTK 2.50.6`. */
  version: string
  /** A new page (WebKit: a new tab of its one window). Default viewport 1280x720, as in playwright. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<EnginePage>
  close(): Promise<void>
}

export interface ConsoleMessage {
  /** `'error'` for console.error (on WebKit the only type reported). */
  type(): string
  text(): string
}

export interface EnginePage {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<unknown>
  /** Runs `pageFunction(arg)` (or evaluates a string expression) in the page; awaits a returned promise. */
  evaluate<R, Arg = undefined>(pageFunction: string | ((arg: Arg) => R | Promise<R>), arg?: Arg): Promise<R>
  /** Polls until `pageFunction(arg)` is truthy (`polling`: 'raf', the default, or ms; timeout 30 s). */
  waitForFunction<R, Arg = undefined>(
    pageFunction: string | ((arg: Arg) => R | Promise<R>),
    arg?: Arg,
    options?: { timeout?: number; polling?: number | 'raf' },
  ): Promise<{ jsonValue(): Promise<R> }>
  /** Waits for a click target to be there and enabled, then clicks it like a user. */
  click(selector: string): Promise<void>
  /** Waits for `selector` to match, then its textContent. */
  textContent(selector: string): Promise<string | null>
  keyboard: {
    /** Types into the focused element, one key per character. */
    type(text: string): Promise<void>
    /** One key press: a playwright key name (`Enter`, `ArrowUp`, `KeyA`, `Space`) or character, `Shift+Tab`. */
    press(key: string): Promise<void>
  }
  /** A PNG of the viewport, written to `path` when given. */
  screenshot(options?: { path?: string }): Promise<Uint8Array>
  close(): Promise<void>
  /**
   * Uncaught errors and unhandled rejections (`pageerror`) and console messages (`console`). WebKit (WebDriver
   * classic, no events) records them in the page from the end of `goto` on, and reports console.error only.
   */
  on(event: 'pageerror', listener: (error: Error) => void): unknown
  on(event: 'console', listener: (message: ConsoleMessage) => void): unknown
}

export declare function launchEngine(name: EngineName): Promise<Engine>
export declare function parseEngineList(list: string, source: string): EngineName[]
export declare function testedEngines(): EngineName[]
