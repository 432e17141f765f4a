// What the engine layer throws: a missing browser names the Debian package and the script that installs it,
// and a wait that ran out is a TimeoutError, as in playwright.
import { existsSync } from 'node:fs'

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
