// Browser tests and the demo drive Debian's Chromium, Firefox (firefox-esr) and WebKitGTK (webkit2gtk-driver,
// on an xvfb display), never a downloaded browser build. Installs the missing packages with apt-get (CI and
// the README's commands run as root on Debian); elsewhere says what to run.
// Run: node scripts/ensure-browsers.mjs [chromium|firefox|webkit|all ...]   (default: BROWSER_ENGINES, or all)
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ENGINE_FILES } from '../test/browser/engines/paths.mjs'

/**
 * Installs what the given engines need and is missing.
 * @param {string[]} engines names from ENGINE_FILES
 */
export function ensureBrowsers(engines) {
  const missing = new Set()
  for (const engine of engines) {
    const files = ENGINE_FILES[engine]
    if (!files)
      throw new Error(
        `Unknown browser engine "${engine}": use ${Object.keys(ENGINE_FILES).join(', ')} or all`,
      )
    for (const [path, debianPackage] of files) if (!existsSync(path)) missing.add(debianPackage)
  }
  if (missing.size === 0) return
  const packages = [...missing]
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Failed to find the browsers for ${engines.join(', ')}: run \`sudo apt-get install -y ${packages.join(' ')}\` and retry.`,
    )
  }
  console.log(
    `[unplugin-asyncify] installing Debian ${packages.join(', ')} (apt-get) for the browser tests and the demo…`,
  )
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // with no arguments: the engines the browser tests will run in (BROWSER_ENGINES=chromium,webkit)
  const args =
    process.argv.length > 2 ? process.argv.slice(2) : (process.env.BROWSER_ENGINES || 'all').split(',')
  const engines = args.includes('all') ? Object.keys(ENGINE_FILES) : args.map((name) => name.trim())
  try {
    ensureBrowsers(engines)
  } catch (error) {
    console.error(`[unplugin-asyncify] ${error.message}`)
    process.exit(1)
  }
}
