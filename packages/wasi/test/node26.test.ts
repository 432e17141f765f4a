// Runs this package's suite again under Node 26, where JSPI is on: every test then checks mode === 'jspi'
// (ASYNCIFY_TEST_MODE), so the JSPI path gets the same stdin, sleep, file and exit checks.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { node26, REPO_DIR } from './helpers.ts'

describe('under Node 26 (JSPI available)', () => {
  it('the WASI suite passes with jspi auto resolving to JSPI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasi-node26-'))
    try {
      const report = join(dir, 'report.json')
      const child = spawnSync(
        node26(),
        [
          join(REPO_DIR, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--project',
          'wasi',
          '--exclude',
          '**/node26.test.ts',
          '--reporter',
          'json',
          '--outputFile',
          report,
        ],
        {
          cwd: REPO_DIR,
          encoding: 'utf8',
          env: { ...process.env, ASYNCIFY_TEST_MODE: 'jspi' },
          timeout: 240_000,
        },
      )
      const result = JSON.parse(readFileSync(report, 'utf8'))
      const failures = result.testResults
        .flatMap((file: { assertionResults: { status: string }[] }) => file.assertionResults)
        .filter((test: { status: string }) => test.status !== 'passed')
        .map(
          (test: { fullName: string; failureMessages: string[] }) =>
            `${test.fullName}: ${test.failureMessages[0]}`,
        )
      expect(failures).toEqual([])
      expect(result.numPendingTests).toBe(0)
      expect(result.numPassedTests).toBeGreaterThan(20)
      expect(child.status, child.stderr).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    // as long as the child may run (spawnSync blocks, so the project's default would fire after the fact)
  }, 240_000)
})
