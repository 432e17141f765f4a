// The Vite range we claim (peerDependencies of unplugin-asyncify: ^5 || ^6 || ^7 || ^8): its oldest and newest
// releases (5.0.0, and 8.4.0 on Rolldown), the first 6.x (environments replace load's `ssr` flag; 7.x takes the
// same path) and the last 5.x (whose SSR builds used to emit no .wasm). Each in a fresh npm project with the packed
// plugin: the fixture app builds for the browser and for SSR, and both builds run in Node. 7.x is not installed
// here, to keep CI lean (each version costs an npm install and four builds); 7.0.0 and 7.3.8 passed this test when
// the range was set.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIXTURE_APP, WASM_FIXTURES } from '../bundlers/utils.ts'
import { createProject, fixtureAppFiles, SHARED_CACHE } from './project.ts'

/** Keep in step with peerDependencies and docs/bundlers.md#supported-versions. */
export const VITE_VERSIONS = ['5.0.0', '5.4.21', '6.0.0', '8.4.0']

const FIXTURE = join(import.meta.dirname, 'fixture')

describe.each(VITE_VERSIONS)('vite %s', (version) => {
  it('builds the app for the browser and for SSR; both run in Node with the .wasm next to them', async () => {
    const project = await createProject({
      name: `vite-${version}`,
      dependencies: { vite: version },
      copy: {
        ...fixtureAppFiles(FIXTURE_APP, WASM_FIXTURES),
        'vite-build.mjs': join(FIXTURE, 'vite-build.mjs'),
        'run.mjs': join(FIXTURE, 'run.mjs'),
      },
    })
    for (const [target, entry] of [
      ['client', 'dist/main.js'],
      ['ssr', 'dist-ssr/main.js'],
    ] as const) {
      await project.run('node', ['vite-build.mjs', target], SHARED_CACHE)
      const { stdout } = await project.run('node', ['run.mjs', entry])
      expect(JSON.parse(stdout), `${target} build`).toEqual({ result: 'OK', mode: 'asyncify' })
    }
  })
})
