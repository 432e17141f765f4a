// The browser engines the tests and the demo run in, each from a Debian package (never a downloaded build),
// behind one page interface: a subset of playwright's Page with the same names and meaning, so code written
// for playwright runs unchanged in all three. See engines.d.mts for the interface, docs/engines.md for what
// each engine can do.
import { launchChromium } from './engines/chromium.mjs'
import { launchFirefox } from './engines/firefox.mjs'
import { launchWebKit } from './engines/webkit.mjs'

/** @type {readonly ['chromium', 'firefox', 'webkit']} */
export const ENGINE_NAMES = ['chromium', 'firefox', 'webkit']

const LAUNCHERS = { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }

/**
 * Starts one browser. Startup is slow (Firefox and WebKit take seconds): start one per test file.
 * @param {import('./engines.mjs').EngineName} name
 */
export function launchEngine(name) {
  const launch = LAUNCHERS[name]
  if (!launch) throw new Error(`Unknown browser engine "${name}": use one of ${ENGINE_NAMES.join(', ')}`)
  return launch()
}

/**
 * Engine names from a comma-separated list (`chromium,webkit`, or `all`), checked.
 * @param {string} list
 * @param {string} source where the list came from, for the error message
 */
export function parseEngineList(list, source) {
  const names = list.trim() === 'all' ? [...ENGINE_NAMES] : list.split(',').map((name) => name.trim())
  for (const name of names) {
    if (!ENGINE_NAMES.includes(name)) {
      throw new Error(`Unknown browser engine "${name}" in ${source}: use ${ENGINE_NAMES.join(', ')} or all`)
    }
  }
  return names
}

/** The engines the browser tests run in: BROWSER_ENGINES (e.g. `chromium`), all three by default. */
export function testedEngines() {
  return parseEngineList(process.env.BROWSER_ENGINES || 'all', 'BROWSER_ENGINES')
}
