// What the engine layer throws: a missing browser names the Debian package and the script that installs it,
// and a wait that ran out is a TimeoutError, as in playwright.
import { existsSync } from 'node:fs'
import { ENGINE_FILES } from './paths.mjs'

export class TimeoutError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message)
    this.name = 'TimeoutError'
  }
}

/**
 * @param {string} engine
 * @param {string} path
 * @param {string} debianPackage
 */
export function requireExecutable(engine, path, debianPackage) {
  if (!existsSync(path)) {
    throw new Error(
      `Failed to launch ${engine}: "${path}" is missing. Run \`node scripts/ensure-browsers.mjs ${engine}\` from the repository root (as root it runs \`apt-get install ${debianPackage}\`).`,
    )
  }
}

/**
 * Every file the engine needs (browser, driver, virtual display), each checked as above.
 * @param {keyof typeof ENGINE_FILES} engine
 */
export function requireEngineFiles(engine) {
  for (const [path, debianPackage] of ENGINE_FILES[engine]) requireExecutable(engine, path, debianPackage)
}
