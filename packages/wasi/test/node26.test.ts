// Runs this package's suite again under Node 26, where JSPI is on: every test then checks mode === 'jspi'
// (ASYNCIFY_TEST_MODE), so the JSPI path gets the same stdin, sleep, file and exit checks.
import { describe, expect, it } from 'vitest'
import { runProjectOnNode26 } from '../../../test/node26.ts'

describe('under Node 26 (JSPI available)', () => {
  it('the WASI suite passes with jspi auto resolving to JSPI', () => {
    const run = runProjectOnNode26('wasi', '**/node26.test.ts')
    expect(run.failures).toEqual([])
    expect(run.pending).toBe(0)
    expect(run.passed).toBeGreaterThan(20)
    expect(run.status, run.stderr).toBe(0)
    // as long as the child may run (spawnSync blocks, so the project's default would fire after the fact)
  }, 240_000)
})
