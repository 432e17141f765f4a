// Runs this whole suite again under Node 26, where JSPI is on by default: every test that instantiates
// with jspi 'auto' then asserts mode === 'jspi' (ASYNCIFY_TEST_MODE), so the JSPI path gets the same checks
// (results, FIFO order, error codes and objects, stack pointer restore) as the Asyncify path.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { node26, REPO_DIR } from './helpers/env.ts'

describe('under Node 26 (JSPI available)', () => {
  it('the runtime suite passes with jspi auto resolving to JSPI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-node26-'))
    try {
      const report = join(dir, 'report.json')
      const child = spawnSync(
        node26(),
        [
          join(REPO_DIR, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--project',
          'runtime',
          // itself, and the tests that do not depend on the Node version
          '--exclude',
          '**/{node26,browser,size}.test.ts',
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
        .flatMap(
          (file: { assertionResults: { status: string; fullName: string; failureMessages: string[] }[] }) =>
            file.assertionResults,
        )
        .filter((test: { status: string }) => test.status !== 'passed')
        .map(
          (test: { fullName: string; failureMessages: string[] }) =>
            `${test.fullName}: ${test.failureMessages[0]}`,
        )
      expect(failures).toEqual([])
      expect(result.numPendingTests).toBe(0)
      expect(result.numPassedTests).toBeGreaterThan(30)
      expect(child.status, child.stderr).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    // as long as the child may run (spawnSync blocks, so the project's default would fire after the fact)
  }, 240_000)
})
