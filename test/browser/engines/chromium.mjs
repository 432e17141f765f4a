// Chromium from Debian's chromium package, driven by playwright-core (which never downloads a browser). Its
// pages are playwright's own: the engine layer's page interface is a subset of them.
import { chromium } from 'playwright-core'
import { requireEngineFiles } from './errors.mjs'
import { CHROMIUM_PATH } from './paths.mjs'

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
]

/** @returns {Promise<import('../engines.mjs').Engine>} */
export async function launchChromium() {
  requireEngineFiles('chromium')
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS })
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()}`,
    /** @param {{ viewport?: { width: number, height: number } }} [options] */
    newPage: (options = {}) => browser.newPage(options.viewport ? { viewport: options.viewport } : {}),
    close: () => browser.close(),
  }
}
