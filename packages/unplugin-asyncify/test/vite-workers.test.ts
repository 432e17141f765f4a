// Vite builds module workers with `worker.plugins` only: the plugin adds itself there unless the user did.
// (test/browser runs a worker built this way in Chromium.)
import { describe, expect, it } from 'vitest'
import asyncifyVite from '../src/vite.ts'

type WorkerConfig = { worker?: { plugins?: () => unknown[] } }

function workerPlugins(config: WorkerConfig): { name?: string }[] {
  const plugin = asyncifyVite({ asyncImports: ['env.sleep'] }) as unknown as {
    config(config: WorkerConfig): void
  }
  plugin.config(config)
  return config.worker!.plugins!().flat() as { name?: string }[]
}

describe('vite worker.plugins', () => {
  it('joins the worker builds when the config has no worker plugins', () => {
    expect(workerPlugins({}).map((plugin) => plugin.name)).toEqual(['unplugin-asyncify'])
  })

  it("keeps the user's worker plugins and adds itself after them", () => {
    const other = { name: 'other' }
    const names = workerPlugins({ worker: { plugins: () => [other] } }).map((plugin) => plugin.name)
    expect(names).toEqual(['other', 'unplugin-asyncify'])
  })

  it('does not add a second copy when the user already lists it', () => {
    const plugins = workerPlugins({ worker: { plugins: () => [[asyncifyVite()]] } })
    expect(plugins.filter((plugin) => plugin.name === 'unplugin-asyncify')).toHaveLength(1)
  })
})
