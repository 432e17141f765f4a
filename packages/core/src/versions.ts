/**
 * Versions that change what a transform produces; both are part of the cache key. Read from package.json
 * files on disk so a cache hit never has to load binaryen.js.
 */

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
let cached: { core: string; binaryen: string } | undefined

export function toolVersions(): { core: string; binaryen: string } {
  if (cached) return cached
  // `../package.json` from both src/ and dist/.
  const core = (require('../package.json') as { version: string }).version
  // binaryen's main is index.js at the package root; its exports map does not expose package.json.
  const binaryenRoot = dirname(require.resolve('binaryen'))
  const binaryen = (
    JSON.parse(readFileSync(join(binaryenRoot, 'package.json'), 'utf8')) as { version: string }
  ).version
  cached = { core, binaryen }
  return cached
}
