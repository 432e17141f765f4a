// `pnpm lint:packages`: pack each package as it would be published, then lint the tarballs with publint (package.json
// and files) and @arethetypeswrong/cli (types resolve for every export under node16 and bundler resolution; the
// packages are ESM only, so the CommonJS `require` and node10 rows are not ours to pass). About 20 s; part of
// `pnpm test`.
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { packAll } from './pack.mjs'

const ATTW = join(dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/attw')
const dest = mkdtempSync(join(tmpdir(), 'asyncify-packs-'))
/** ESM-only packages: CommonJS `require` and node10 (no exports map) are not supported resolutions. */
const IGNORED = new Set(['node10', 'node16-cjs'])
let failed = false
try {
  const tarballs = Object.entries(packAll(dest))
  // attw loads TypeScript per run: start all three at once.
  const attwReports = tarballs.map(([, tarball]) => runAttw(tarball))
  for (const [i, [name, tarball]] of tarballs.entries()) {
    const bytes = readFileSync(tarball)
    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      strict: true,
      level: 'suggestion',
    })
    for (const message of messages) {
      failed = true
      console.error(`[publint] ${name}: ${message.type}: ${formatMessage(message, pkg)}`)
    }
    // JSON, filtered here: the esm-only profile ignores node10 and node16-cjs resolution, but attw 0.18 still
    // counts an InternalResolutionError under node10 (client.d.ts imports `unplugin-asyncify/runtime` through exports).
    const report = JSON.parse(await attwReports[i])
    const problems = (report.analysis.problems ?? []).filter(
      (problem) => !IGNORED.has(problem.resolutionKind ?? problem.resolutionOption),
    )
    for (const problem of problems) {
      failed = true
      console.error(`[attw] ${name}: ${JSON.stringify(problem)}`)
    }
    if (!failed) console.log(`${name}: publint and attw pass`)
  }
} finally {
  rmSync(dest, { recursive: true, force: true })
}
process.exitCode = failed ? 1 : 0

/**
 * attw exits 1 whenever it found a problem, ignored or not: the JSON is what counts. It goes to a file, because attw
 * exits before a pipe has taken more than 64 kB of it.
 */
function runAttw(tarball) {
  const out = `${tarball}.attw.json`
  const fd = openSync(out, 'w')
  return new Promise((done, fail) => {
    const child = spawn(ATTW, [tarball, '--format', 'json', '--no-definitely-typed'], {
      stdio: ['ignore', fd, 'inherit'],
    })
    child.on('error', fail)
    child.on('close', () => {
      closeSync(fd)
      done(readFileSync(out, 'utf8'))
    })
  })
}
