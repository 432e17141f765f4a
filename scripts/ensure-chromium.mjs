// Browser tests and the demo drive Debian's Chromium through playwright-core. Install it when missing
// (CI and the README's commands run as root on Debian); elsewhere say what to do.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CHROMIUM = '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(
      `[unplugin-asyncify] ${CHROMIUM} is missing: run \`sudo apt-get install -y chromium\` and retry.`,
    )
    process.exit(1)
  }
  console.log('[unplugin-asyncify] installing Debian chromium (apt-get) for browser tests…')
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
    stdio: 'inherit',
  })
}
