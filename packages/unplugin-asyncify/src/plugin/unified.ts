/**
 * The plugin for Vite, Rollup, Rolldown and esbuild: `resolveId` keeps the `?asyncify` query through resolution
 * (Rollup cannot resolve it at all, Vite only with `enforce: 'pre'`), `load` reads and transforms the wasm and
 * returns the glue. Only the way the processed bytes reach the output differs per host (see `emitSources`).
 */

import { dirname, isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type GlueSource, jsString } from '@unplugin-asyncify/core'
import { PROFILE_EVENT } from '@unplugin-asyncify/runtime/profile'
import type { UnpluginBuildContext, UnpluginContextMeta, UnpluginOptions } from 'unplugin'
import { assetsDir, toBase64, type WasmAsset, writeAssetFile } from './assets.ts'
import { aliasPrefixes } from './dts-file.ts'
import { ASYNCIFY_ANY_ID_RE, ASYNCIFY_ID_RE, parseAsyncifyId, splitQuery } from './ids.ts'
import { notWasmImport } from './not-wasm.ts'
import type { PluginOptions } from './options.ts'
import { slash } from './paths.ts'
import { consoleLogger, type Logger, PLUGIN_NAME, WasmProcessor } from './processor.ts'

/** Vite dev: where a JSPI-first glue finds the Asyncify binary, built when a browser without JSPI asks for it. */
const DEV_PATH = '/@unplugin-asyncify/'

/** esbuild: the glue imports `asyncify-bin:<path>`; that namespace serves the bytes with the `file` loader. */
const BIN_PREFIX = 'asyncify-bin:'
const BIN_NAMESPACE = 'asyncify-bin'
const BIN_PREFIX_RE = /^asyncify-bin:/

/** The parts of the native Rollup/Rolldown/Vite plugin context unplugin passes through but does not type. */
interface RollupLikeContext {
  resolve(
    source: string,
    importer: string | undefined,
    options: { skipSelf: boolean },
  ): Promise<{ id: string; external?: boolean | string } | null>
  emitFile(file: {
    type: 'asset'
    name?: string
    fileName?: string
    originalFileName?: string
    source: Uint8Array
  }): string
  getFileName(referenceId: string): string
  meta?: { watchMode?: boolean }
  environment?: { config: { consumer: 'client' | 'server'; build: { emitAssets: boolean } } }
}

interface ViteConfigSubset {
  command: 'serve' | 'build'
  root: string
  isProduction: boolean
  resolve: { alias: readonly { find: unknown }[] }
  logger: { info(message: string, options?: { timestamp?: boolean }): void; warn(message: string): void }
}

interface EsbuildSubset {
  initialOptions: { absWorkingDir?: string; format?: string; platform?: string; bundle?: boolean }
  resolve(
    path: string,
    options: { resolveDir: string; kind: 'import-statement' },
  ): Promise<{ path: string; errors: unknown[] }>
  onResolve(
    options: { filter: RegExp },
    callback: (args: { path: string }) => { path: string; namespace: string },
  ): void
  onLoad(
    options: { filter: RegExp; namespace: string },
    callback: (args: { path: string }) => { contents: Uint8Array; loader: 'file' } | undefined,
  ): void
}

const ROLLUP_LIKE = new Set(['vite', 'rollup', 'rolldown', 'unloader'])

export function unifiedPlugin(
  options: PluginOptions,
  framework: UnpluginContextMeta['framework'],
  /** A new Vite plugin with the same options, for Vite's worker builds. */
  vitePluginForWorkers?: () => unknown,
): UnpluginOptions {
  let vite: ViteConfigSubset | undefined
  /** The Vite server is Vitest's (it runs modules in Node, not in a browser). */
  let vitestServer = false
  let esbuild: EsbuildSubset | undefined
  let watchMode = false
  /** Rolldown's `cwd` input option; Rollup has no root of its own, so it stays the working directory. */
  let rolldownCwd: string | undefined
  let processor: WasmProcessor | undefined
  /** esbuild: bytes served from the `asyncify-bin` namespace, by path. */
  const bins = new Map<string, Uint8Array>()
  /** Vite SSR builds: our assets, re-added after Vite drops SSR assets (they are read from disk at run time). */
  const serverAssets = new Map<string, Uint8Array>()

  /** Vite knows; a Rollup/Rolldown watch build counts as development; otherwise core's default (production). */
  const buildMode = (): 'development' | 'production' | undefined => {
    if (vite) return vite.isProduction ? 'production' : 'development'
    return watchMode ? 'development' : undefined
  }
  const root = () => vite?.root ?? esbuild?.initialOptions.absWorkingDir ?? rolldownCwd ?? process.cwd()
  const getProcessor = () => {
    if (processor) return processor
    const logger: Logger = vite
      ? {
          info: (message) => vite!.logger.info(`[${PLUGIN_NAME}] ${message}`, { timestamp: true }),
          warn: (message) => vite!.logger.warn(`[${PLUGIN_NAME}] warning: ${message}`),
        }
      : consoleLogger
    processor = new WasmProcessor(options, {
      root: root(),
      mode: buildMode(),
      logger,
      dtsPrefixes: vite ? aliasPrefixes(vite.resolve.alias) : undefined,
    })
    return processor
  }

  /** Hands a binary that is not inlined to the host, so the glue gets a URL the runtime can load. */
  async function emitAsset(
    ctx: RollupLikeContext,
    file: string,
    asset: WasmAsset,
    server: boolean,
  ): Promise<GlueSource> {
    if (vite?.command === 'serve') {
      // No emitFile in dev: write the bytes where Vite serves them from, `?url` gives the browser URL; a server
      // consumer (SSR) reads the file directly.
      const path = await writeAssetFile(assetsDir(root(), options.core.cacheDir), asset)
      return server
        ? { kind: 'url', url: pathToFileURL(path).href }
        : { kind: 'url-import', specifier: `${slash(path)}?url`, fileUrl: pathToFileURL(path).href }
    }
    if (ROLLUP_LIKE.has(framework)) {
      const referenceId = ctx.emitFile({
        type: 'asset',
        name: asset.name,
        originalFileName: slash(file),
        source: asset.bytes,
      })
      if (server) serverAssets.set(referenceId, asset.bytes)
      return { kind: 'rollup-ref', referenceId }
    }
    if (framework === 'esbuild') {
      const path = `${slash(dirname(file))}/${asset.name}`
      bins.set(path, asset.bytes)
      return { kind: 'url-import', specifier: `${BIN_PREFIX}${path}` }
    }
    // A host we do not emit assets for: the bytes go into the JS.
    return { kind: 'inline', base64: toBase64(asset.bytes) }
  }

  /** Resolve the path part with the host's resolver (aliases, packages), then put our query back. */
  async function resolveWasm(ctx: RollupLikeContext, id: string, importer: string | undefined) {
    const { path, query } = splitQuery(id)
    let resolved: string | undefined
    if (ROLLUP_LIKE.has(framework)) {
      const result = await ctx.resolve(path, importer, { skipSelf: true })
      if (!result || result.external) return null
      resolved = splitQuery(result.id).path
    } else if (/^\.\.?\//.test(path) || isAbsolute(path)) {
      resolved = resolve(importer ? dirname(importer) : root(), path)
    } else if (esbuild) {
      const result = await esbuild.resolve(path, {
        resolveDir: importer ? dirname(importer) : root(),
        kind: 'import-statement',
      })
      if (result.errors.length > 0) return null
      resolved = result.path
    }
    if (resolved !== undefined && !resolved.endsWith('.wasm')) throw notWasmImport(resolved, root())
    // An excluded file is not ours: the host resolves (and loads) it as it would without the plugin.
    if (resolved === undefined || !getProcessor().filter(resolved)) return null
    return resolved + query
  }

  return {
    name: PLUGIN_NAME,
    // Vite's own resolver runs before normal plugins and would resolve the id without us.
    enforce: 'pre',
    buildStart(...args: unknown[]) {
      watchMode = Boolean((this as unknown as RollupLikeContext).meta?.watchMode)
      rolldownCwd = (args[0] as { cwd?: string } | undefined)?.cwd
    },
    resolveId: {
      filter: { id: ASYNCIFY_ANY_ID_RE },
      handler(id, importer) {
        return resolveWasm(this as unknown as RollupLikeContext, id, importer)
      },
    },
    load: {
      filter: { id: ASYNCIFY_ID_RE },
      async handler(this: UnpluginBuildContext, id, ...rest: unknown[]) {
        const { file, variant } = parseAsyncifyId(id)
        const wasm = getProcessor()
        if (!wasm.filter(file)) return null
        this.addWatchFile(file)
        const ctx = this as unknown as RollupLikeContext
        // Vite 6+ says so per environment; Vite 5 only through load's `ssr` flag.
        const server = ctx.environment
          ? ctx.environment.config.consumer === 'server'
          : Boolean((rest[0] as { ssr?: boolean } | undefined)?.ssr)
        const place = (asset: WasmAsset) => emitAsset(ctx, file, asset, server)
        // a page of the dev server: a recorder there hands its samples to configureServer below
        const page = vite?.command === 'serve' && !server
        const recording = options.core.profile === 'record' && getProcessor().context.mode === 'development'
        // A browser page in Vite dev: no waiting for the Asyncify pass, which only browsers without JSPI need.
        // (Vitest's own server runs "browser" modules in Node, from file: URLs, where its paths mean nothing;
        // a recording build needs the recorder the full result carries.)
        if (page && options.core.jspi !== 'off' && !vitestServer && !recording) {
          return wasm.glueJspiFirst(file, variant, place, (hash, name) => `${DEV_PATH}${hash}/${name}`)
        }
        return wasm.glue(file, variant, place, undefined, page)
      },
    },
    vite: {
      // Vite bundles module workers with `worker.plugins` only; without us there, a worker's `?asyncify` import
      // fails with UNLOADABLE_DEPENDENCY (os error 2). Join the worker builds unless the user already added us.
      config(config) {
        if (!vitePluginForWorkers) return
        config.worker ??= {}
        const userPlugins = config.worker.plugins
        config.worker.plugins = () => {
          const plugins = (userPlugins?.() ?? []) as unknown[]
          return (hasAsyncifyPlugin(plugins) ? plugins : [...plugins, vitePluginForWorkers()]) as never
        }
      },
      configResolved(config) {
        vite = config
        const plugins = (config as unknown as { plugins?: readonly { name?: string }[] }).plugins ?? []
        vitestServer = plugins.some((plugin) => plugin.name?.startsWith('vitest'))
      },
      configureServer(server) {
        // The Asyncify binary of a JSPI-first glue: built (and cached) on the first request.
        server.middlewares.use(DEV_PATH, (request, response, next) => {
          const hash = /^\/([0-9a-f]{16})\//.exec(request.url ?? '')?.[1]
          if (!hash) return next()
          getProcessor()
            .deferredAsyncify(hash)
            .then(
              (bytes) => {
                if (!bytes) return next()
                response.setHeader('Content-Type', 'application/wasm')
                response.setHeader('Cache-Control', 'no-cache')
                response.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
              },
              (error: unknown) => next(error),
            )
        })
        // Record mode: samples from browser pages (`import.meta.hot.send`) go into the profile files.
        server.ws.on(PROFILE_EVENT, (data: unknown) => getProcessor().profiles.receive(data))
      },
      // SSR output runs in Node, where the runtime reads `file:` URLs from disk: use a path relative to the chunk
      // (Vite would render `<base>/assets/…`, which only a web server understands).
      resolveFileUrl({ referenceId, relativePath }) {
        return serverAssets.has(referenceId) ? jsString(relativePath) : null
      },
      generateBundle: {
        order: 'post',
        handler(_, bundle) {
          for (const [referenceId, source] of serverAssets) {
            const fileName = this.getFileName(referenceId)
            if (!(fileName in bundle)) this.emitFile({ type: 'asset', fileName, source })
          }
          serverAssets.clear()
        },
      },
    },
    esbuild: {
      onResolveFilter: ASYNCIFY_ANY_ID_RE,
      onLoadFilter: ASYNCIFY_ID_RE,
      loader: 'js',
      setup(build) {
        esbuild = build as unknown as EsbuildSubset
        const { format, platform } = esbuild.initialOptions
        // esbuild's default format is iife (browser) or cjs (node); neither has import.meta.url to find the file.
        if (
          (format ?? (platform === 'node' ? 'cjs' : 'iife')) !== 'esm' &&
          options.inlineLimit !== Infinity &&
          !options.silent
        ) {
          consoleLogger.warn(
            `esbuild format "${format ?? 'default'}" has no import.meta.url, so the emitted .wasm files cannot be located ` +
              "at run time. Set format: 'esm', or inline: true to put the bytes into the bundle.",
          )
        }
        esbuild.onResolve({ filter: BIN_PREFIX_RE }, (args) => ({
          path: args.path.slice(BIN_PREFIX.length),
          namespace: BIN_NAMESPACE,
        }))
        esbuild.onLoad({ filter: /.*/, namespace: BIN_NAMESPACE }, (args) => {
          const contents = bins.get(args.path)
          return contents ? { contents, loader: 'file' } : undefined
        })
      },
    },
  }
}

/** Whether a (nested) Vite plugin list already holds one of ours. */
function hasAsyncifyPlugin(plugins: unknown[]): boolean {
  return plugins.some((plugin) =>
    Array.isArray(plugin)
      ? hasAsyncifyPlugin(plugin)
      : (plugin as { name?: unknown } | null)?.name === PLUGIN_NAME,
  )
}
