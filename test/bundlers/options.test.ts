// Plugin options beyond the core ones, through real builds: the build log and its asyncImports hint, the warning
// for named exports without imports, `inline`, and `include`/`exclude`.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import type { Options } from 'unplugin-asyncify'
import asyncifyEsbuild from 'unplugin-asyncify/esbuild'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { type Bundler, bundlers, clean } from './builders.ts'
import {
  buildLog,
  errorCode,
  FIXTURE_APP,
  fixtureOptions,
  jspiNode,
  prepareFixtureApp,
  runBuilt,
  TMP,
} from './utils.ts'

const byName = (name: string): Bundler => bundlers.find((bundler) => bundler.name === name)!

/** Build while capturing what the plugin prints. */
async function buildCapturing(bundler: Bundler, name: string, entry: string, options: Options) {
  const printed: string[] = []
  const capture = (...args: unknown[]) => {
    printed.push(args.join(' '))
  }
  const log = vi.spyOn(console, 'log').mockImplementation(capture)
  const warn = vi.spyOn(console, 'warn').mockImplementation(capture)
  const outDir = join(TMP, `options-${name}`)
  await clean(outDir)
  try {
    const built = await bundler.build({ app: FIXTURE_APP, entry, outDir, options })
    return { built, outDir, printed: buildLog(printed) }
  } finally {
    log.mockRestore()
    warn.mockRestore()
  }
}

beforeAll(() => prepareFixtureApp())

describe('build log', () => {
  it('suggests asyncImports when every import may pause (the default)', async () => {
    const { built, printed } = await buildCapturing(
      byName('rollup'),
      'default-imports',
      'src/multi-value.js',
      {
        ...fixtureOptions(FIXTURE_APP, { silent: false }),
        asyncImports: undefined,
      },
    )
    expect(printed).toHaveLength(1)
    expect(printed[0]).toContain('multi-value.wasm')
    expect(printed[0]).toMatch(/hint: .*asyncImports.*"env\.sleep"/)
    expect((await runBuilt(built)).result).toBe('OK')
  })

  it('prints nothing with silent: true', async () => {
    const { printed } = await buildCapturing(
      byName('esbuild'),
      'silent',
      'src/multi-value.js',
      fixtureOptions(),
    )
    expect(printed).toEqual([])
  })

  it('warns when named exports have no JS module for an import module', async () => {
    const { built, printed } = await buildCapturing(byName('webpack'), 'unprovided', 'src/unprovided.js', {
      ...fixtureOptions(FIXTURE_APP, { silent: false }),
      importModules: {},
    })
    const warning = printed.find((line) => line.includes('warning'))
    expect(warning).toContain('"env"')
    expect(warning).toContain('importModules')
    expect((await runBuilt(built)).result).toBe('OK')
  })
})

describe('importModules', () => {
  // Every bundler, and the webpack loader with the rule the README gives.
  for (const bundler of bundlers) {
    it(`${bundler.name}: a module that lacks an import of ?asyncify fails the build, naming both`, async () => {
      const build = buildCapturing(bundler, `missing-import-${bundler.name}`, 'src/main.js', {
        ...fixtureOptions(FIXTURE_APP),
        importModules: { env: join(FIXTURE_APP, 'src/wasm-env-partial.js') },
      })
      const error = await build.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, 'the build should fail').toBeDefined()
      const message = String((error as Error).message ?? error)
      expect(message).toContain('get_i64')
      expect(message).toContain('wasm-env-partial')
    })
  }
})

describe('?asyncify on a file that is not a .wasm binary', () => {
  for (const bundler of bundlers) {
    it(`${bundler.name}: WebAssembly text and JavaScript fail with ASYNCIFY_NOT_WASM and the fix`, async () => {
      const failure = (entry: string) =>
        buildCapturing(bundler, `not-wasm-${bundler.name}`, entry, fixtureOptions()).then(
          () => undefined,
          (e: unknown) => e,
        )
      const wat = await failure('src/wat-import.js')
      expect(errorCode(wat)).toBe('ASYNCIFY_NOT_WASM')
      // Rollup has no root of its own: its paths are relative to the working directory.
      expect(String((wat as Error).message)).toMatch(
        /Failed to asyncify "[^"]*src\/pure-compute\.wat": it is WebAssembly text, and \?asyncify works on \.wasm binaries\. Compile it first \(wat2wasm pure-compute\.wat -o pure-compute\.wasm/,
      )
      const js = await failure('src/js-import.js')
      expect(errorCode(js)).toBe('ASYNCIFY_NOT_WASM')
      expect(String((js as Error).message)).toMatch(
        /Failed to asyncify "[^"]*src\/wasm-env\.js": it is JavaScript, and \?asyncify works on \.wasm binaries\. Import the \.wasm file itself/,
      )
    })
  }
})

describe('inline', () => {
  for (const name of ['rollup', 'webpack', 'esbuild']) {
    it(`${name}: puts the bytes into the JS and emits no .wasm`, async () => {
      const { built, outDir } = await buildCapturing(
        byName(name),
        `inline-${name}`,
        'src/main.js',
        fixtureOptions(FIXTURE_APP, { inline: true }),
      )
      const files = await readdir(outDir, { recursive: true })
      expect(files.filter((file) => String(file).endsWith('.wasm'))).toEqual([])
      expect(await runBuilt(built)).toEqual({ result: 'OK', mode: 'asyncify' })
    })
  }

  it('a size limit inlines only smaller files', async () => {
    const { outDir } = await buildCapturing(
      byName('rollup'),
      'inline-limit',
      'src/main.js',
      fixtureOptions(FIXTURE_APP, { inline: 1024 }),
    )
    const files = await readdir(join(outDir, 'assets'))
    // compute.wasm and calls-wasm-opt.wasm, each asyncified and for JSPI: all over 1 kB
    expect(files.filter((file) => file.endsWith('.wasm'))).toHaveLength(4)
  })
})

describe('jspi', () => {
  it("'off' emits only the asyncified file, used even where JSPI exists", async () => {
    const { built, outDir } = await buildCapturing(
      byName('rolldown'),
      'jspi-off',
      'src/main.js',
      fixtureOptions(FIXTURE_APP, { jspi: 'off' }),
    )
    expect((await readdir(join(outDir, 'assets'))).sort()).toEqual([
      expect.stringMatching(/^calls-wasm-opt-.*\.wasm$/),
      expect.stringMatching(/^compute-.*\.wasm$/),
    ])
    expect(await runBuilt(built, { node: jspiNode() })).toEqual({ result: 'OK', mode: 'asyncify' })
  })

  it("'only' emits only the plain file, which needs JSPI", async () => {
    const { built, outDir } = await buildCapturing(
      byName('webpack'),
      'jspi-only',
      'src/main.js',
      fixtureOptions(FIXTURE_APP, { jspi: 'only' }),
    )
    expect((await readdir(outDir)).filter((file) => file.endsWith('.wasm'))).toHaveLength(2) // one per wasm file
    expect(await runBuilt(built, { node: jspiNode() })).toEqual({ result: 'OK', mode: 'jspi' })
  })
})

describe('include / exclude', () => {
  it('an excluded wasm is left to the bundler (which cannot load it as JS)', async () => {
    const build = buildCapturing(
      byName('rollup'),
      'exclude',
      'src/main.js',
      fixtureOptions(FIXTURE_APP, { exclude: ['**/compute.wasm'] }),
    )
    await expect(build).rejects.toThrow()
  })

  it('a non-matching include leaves the file alone, a matching one handles it', async () => {
    const skipped = buildCapturing(
      byName('esbuild'),
      'include-none',
      'src/multi-value.js',
      fixtureOptions(FIXTURE_APP, { include: [/\/elsewhere\//] }),
    )
    await expect(skipped).rejects.toThrow()
    const { built } = await buildCapturing(
      byName('esbuild'),
      'include-src',
      'src/multi-value.js',
      fixtureOptions(FIXTURE_APP, { include: ['src/*.wasm'] }),
    )
    expect((await runBuilt(built)).result).toBe('OK')
  })
})

describe('esbuild format', () => {
  it('warns that a non-ESM format cannot locate the emitted files', async () => {
    const warnings: string[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.join(' '))
    })
    try {
      await esbuild.build({
        absWorkingDir: FIXTURE_APP,
        entryPoints: ['src/multi-value.js'],
        bundle: true,
        platform: 'node',
        write: false,
        outdir: join(TMP, 'options-esbuild-cjs'),
        logLevel: 'silent',
        plugins: [asyncifyEsbuild(fixtureOptions(FIXTURE_APP, { silent: false }))],
      })
    } finally {
      warn.mockRestore()
    }
    expect(warnings.filter((line) => line.includes('[unplugin-asyncify]'))).toEqual([
      expect.stringMatching(/format "default" has no import\.meta\.url.*format: 'esm'.*inline: true/),
    ])
  })
})

describe('invalid options', () => {
  it('fail fast with the option name and a stable code', async () => {
    const build = buildCapturing(
      byName('vite'),
      'invalid',
      'src/main.js',
      fixtureOptions(FIXTURE_APP, { inline: 'yes' as never }),
    )
    const error = await build.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(String(error)).toContain('"inline"')
    expect(errorCode(error)).toBe('ASYNCIFY_INVALID_OPTION')
  })
})
