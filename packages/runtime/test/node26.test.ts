// Runs this whole suite again under Node 26, where JSPI is on by default: every test that instantiates
// with jspi 'auto' then asserts mode === 'jspi' (ASYNCIFY_TEST_MODE), so the JSPI path gets the same checks
// (results, FIFO order, error codes and objects, stack pointer restore) as the Asyncify path.
import { describe, expect, it } from 'vitest'
import { runProjectOnNode26 } from '../../../test/node26.ts'

describe('under Node 26 (JSPI available)', () => {
  it('the runtime suite passes with jspi auto resolving to JSPI', () => {
    // itself, and the tests that do not depend on the Node version
    const run = runProjectOnNode26('runtime', '**/{node26,browser,size}.test.ts')
    expect(run.failures).toEqual([])
    expect(run.pending).toBe(0)
    expect(run.passed).toBeGreaterThan(30)
    expect(run.status, run.stderr).toBe(0)
    // as long as the child may run (spawnSync blocks, so the project's default would fire after the fact)
  }, 240_000)
})
