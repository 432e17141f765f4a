// Vitest in a user's project (packed plugin, npm install): the same `?asyncify` import runs in the node, jsdom and
// happy-dom environments. jsdom and happy-dom take Vite's browser transform but run in Node, where the dev
// server's `/node_modules/.cache/…` URL of the emitted file cannot be loaded.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_APP, WASM_FIXTURES } from '../bundlers/utils.ts'
import { createProject, fixtureAppFiles, type Project } from './project.ts'

const FIXTURE = join(import.meta.dirname, 'fixture/vitest')
const ENVIRONMENTS = ['node', 'jsdom', 'happy-dom']

describe('Vitest', () => {
  let project: Project
  let results: { testResults: { name: string; status: string; message: string }[] }

  beforeAll(async () => {
    project = await createProject({
      name: 'vitest-environments',
      // jsdom 29 is the newest that runs on Node 20.
      dependencies: { vitest: '4.1.12', vite: '8.4.0', jsdom: '29.1.1', 'happy-dom': '21.0.4' },
      copy: {
        'vitest.config.js': join(FIXTURE, 'vitest.config.js'),
        ...fixtureAppFiles(FIXTURE_APP, WASM_FIXTURES),
        ...Object.fromEntries(
          ENVIRONMENTS.map((env) => [`test/${env}-env.test.js`, join(FIXTURE, `${env}-env.test.js`)]),
        ),
      },
    })
    await project
      .run('npx', ['vitest', 'run', '--reporter=json', '--outputFile=results.json'])
      .catch(() => {})
    results = JSON.parse(await readFile(join(project.dir, 'results.json'), 'utf8'))
  })

  it.each(ENVIRONMENTS)('%s environment runs ?asyncify imports', (env) => {
    const file = results.testResults.find((result) => result.name.endsWith(`${env}-env.test.js`))
    expect(file, `results of ${env}-env.test.js`).toBeDefined()
    expect(file!.message).toBe('')
    expect(file!.status).toBe('passed')
  })
})
