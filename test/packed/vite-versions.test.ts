// The Vite majors we claim (peerDependencies of unplugin-asyncify), each at its oldest and newest release we
// support: a fresh npm project with that `vite` and the packed plugin builds the fixture app for the browser and
// for SSR, and both builds run in Node. npm's peer check runs too: an install outside the range would warn or fail.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIXTURE_APP, WASM_FIXTURES } from '../bundlers/utils.ts'
import { createProject } from './project.ts'

/** Oldest and newest tested release of each supported major (`SUPPORTED_VITE` in docs/bundlers.md). */
export const VITE_VERSIONS = ['5.0.13', '5.4.21', '6.0.15', '7.3.8', '8.4.0']

const FIXTURE = join(import.meta.dirname, 'fixture')

describe.each(VITE_VERSIONS)('vite %s', (version) => {
  it('builds the app for the browser and for SSR; both run in Node with the .wasm next to them', async () => {
    const project = await createProject({
      name: `vite-${version}`,
      dependencies: { vite: version },
      copy: {
        'src/main.js': join(FIXTURE_APP, 'src/main.js'),
        'src/wasm-env.js': join(FIXTURE_APP, 'src/wasm-env.js'),
        'src/compute.wasm': join(WASM_FIXTURES, 'compute.wasm'),
        'vite-build.mjs': join(FIXTURE, 'vite-build.mjs'),
        'run.mjs': join(FIXTURE, 'run.mjs'),
      },
    })
    for (const [target, entry] of [
      ['client', 'dist/main.js'],
      ['ssr', 'dist-ssr/main.js'],
    ] as const) {
      await project.run('node', ['vite-build.mjs', target])
      const { stdout } = await project.run('node', ['run.mjs', entry])
      expect(JSON.parse(stdout), `${target} build`).toEqual({ result: 'OK', mode: 'asyncify' })
    }
  })
})
