import { createRequire } from 'node:module'
import { sep } from 'node:path'

const require = createRequire(import.meta.url)

/**
 * Forward slashes: generated import specifiers must look the same on Windows. Only there: elsewhere a backslash
 * is an ordinary character of a file name, and turning it into a separator would name another file.
 */
export function slash(path: string): string {
  return sep === '\\' ? path.replace(/\\/g, '/') : path
}

/**
 * The runtime's built entry, resolved from this package: the glue imports it by absolute path, so it resolves
 * from any importer (strict pnpm layouts, wasm files inside node_modules) without our package being hoisted.
 */
export function runtimePath(): string {
  return slash(require.resolve('@unplugin-asyncify/runtime'))
}

/** The runtime's record-mode entry (`@unplugin-asyncify/runtime/profile`), imported by absolute path too. */
export function profilePath(): string {
  return slash(require.resolve('@unplugin-asyncify/runtime/profile'))
}

/** @unplugin-asyncify/wasi's built entry, imported by absolute path like the runtime. */
export function wasiPath(): string {
  return slash(require.resolve('@unplugin-asyncify/wasi'))
}

/** Our webpack/Rspack loader, referenced by absolute path in the rule we add. */
export function loaderPath(): string {
  return require.resolve('unplugin-asyncify/webpack-loader')
}
