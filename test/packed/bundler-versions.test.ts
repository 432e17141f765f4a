// The oldest release of every other bundler range in unplugin-asyncify's peerDependencies, installed with npm next
// to the packed plugin in a fresh project: the fixture app builds and runs in Node. The newest releases are the
// ones test/package.json pins for the workspace tests (test/bundlers), which build the same app with each bundler.
// (Vite has its own file: vite-versions.test.ts.)
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_APP, WASM_FIXTURES } from '../bundlers/utils.ts'
import { createProject, fixtureAppFiles, type Project, SHARED_CACHE } from './project.ts'

/** Keep in step with peerDependencies and docs/bundlers.md#supported-versions. */
export const BUNDLER_VERSIONS = {
  oldest: {
    rollup: '4.0.0',
    rolldown: '1.0.0',
    webpack: '5.90.0',
    '@rspack/core': '1.0.0',
    esbuild: '0.19.0',
  },
}

const FIXTURE = join(import.meta.dirname, 'fixture')
const BUNDLERS = ['rollup', 'rolldown', 'webpack', 'rspack', 'esbuild'] as const

describe.each(Object.entries(BUNDLER_VERSIONS))('%s releases', (set, versions) => {
  let project: Project

  beforeAll(async () => {
    project = await createProject({
      name: `bundlers-${set}`,
      dependencies: versions,
      copy: {
        ...fixtureAppFiles(FIXTURE_APP, WASM_FIXTURES),
        'bundler-build.mjs': join(FIXTURE, 'bundler-build.mjs'),
        'run.mjs': join(FIXTURE, 'run.mjs'),
      },
    })
  })

  it.each(BUNDLERS)('%s builds the app and it runs in Node', async (bundler) => {
    await project.run('node', ['bundler-build.mjs', bundler], SHARED_CACHE)
    const entry = `dist-${bundler}/main.${bundler === 'webpack' || bundler === 'rspack' ? 'mjs' : 'js'}`
    const { stdout } = await project.run('node', ['run.mjs', entry])
    expect(JSON.parse(stdout)).toEqual({ result: 'OK', mode: 'asyncify' })
  })
})
