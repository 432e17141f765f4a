// `node cli.mjs <dir>`, for the Node 26 (JSPI) half of test/real-programs.test.ts. <dir>/programs.json lists
// { name, scripts }; the files are <name>.original.wasm, <name>.asyncify.wasm, <name>.jspi.wasm and
// <name>.meta.json. Prints { node, results: { [name]: runCases() } } as JSON.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCases } from './check.mjs'

const dir = process.argv[2]
const results = {}
for (const { name, scripts } of JSON.parse(readFileSync(join(dir, 'programs.json'), 'utf8'))) {
  const file = (suffix) => readFileSync(join(dir, `${name}.${suffix}`))
  results[name] = await runCases(
    {
      original: file('original.wasm'),
      asyncify: file('asyncify.wasm'),
      jspi: file('jspi.wasm'),
      meta: JSON.parse(file('meta.json').toString()),
    },
    scripts,
  )
}
console.log(JSON.stringify({ node: process.version, results }))
