// `pnpm pack` of each published package into one folder: what npm would receive from `pnpm publish`
// (`workspace:*` replaced by the version, only `files` plus README, LICENSE and package.json). Used by
// `pnpm lint:packages` and by the tests that install the tarballs into projects outside the monorepo.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const PACKAGES = ['runtime', 'wasi', 'core', 'unplugin-asyncify']

/** The pnpm that runs this script, or the one package.json pins (the README's `npx -y pnpm@…`). */
function pnpm() {
  const execPath = process.env.npm_execpath
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]]
  const pinned = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager
  return ['npx', ['-y', pinned]]
}

/** Pack every package into `dest` (built dist required); returns `{ name: tarballPath }`. */
export function packAll(dest) {
  mkdirSync(dest, { recursive: true })
  const [command, prefix] = pnpm()
  const tarballs = {}
  for (const dir of PACKAGES) {
    const cwd = join(ROOT, 'packages', dir)
    const { name } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
    const out = execFileSync(command, [...prefix, 'pack', '--json', '--pack-destination', dest], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    tarballs[name] = JSON.parse(out.slice(out.indexOf('{'))).filename
  }
  return tarballs
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(packAll(process.argv[2] ?? join(ROOT, '.tmp/packs')), null, 2))
}
