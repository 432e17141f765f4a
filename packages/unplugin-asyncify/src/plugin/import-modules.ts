import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { WasmMeta } from '@unplugin-asyncify/core'
import { slash } from './paths.ts'

/**
 * Conventional host module names: never JS packages, even if a package of that name happens to be installed
 * (there is an npm package called `env`).
 */
const HOST_MODULES: ReadonlySet<string> = new Set([
  'env',
  'wasi_snapshot_preview1',
  'wasi_unstable',
  'spectest',
  'asyncify',
  'GOT.mem',
  'GOT.func',
])

const RELATIVE_RE = /^\.\.?\//

/**
 * For each wasm import module, the JS module the glue imports as its default provider:
 * 1. `importModules[name]` from the options (a relative path is resolved from the root);
 * 2. a name that is a relative specifier (`./env.js`), resolved from the wasm file, like the ESM integration;
 * 3. a bare name that is an installed package (seen from the wasm file), unless it is a conventional host name.
 * Anything else has no default: the `&init` form takes it from `init(imports)`.
 */
export function resolveImportModules(
  meta: WasmMeta,
  wasmFile: string,
  root: string,
  configured: Record<string, string>,
): Record<string, string> {
  // Keyed by wasm names: no prototype, so `__proto__` is a key like any other and `constructor` finds nothing.
  const found: Record<string, string> = Object.create(null)
  for (const module of new Set(meta.imports.map((entry) => entry.module))) {
    const given = Object.hasOwn(configured, module) ? configured[module] : undefined
    if (given !== undefined) {
      found[module] = RELATIVE_RE.test(given) ? slash(resolve(root, given)) : slash(given)
    } else if (RELATIVE_RE.test(module)) {
      found[module] = slash(resolve(dirname(wasmFile), module))
    } else if (isAbsolute(module)) {
      found[module] = slash(module)
    } else if (isInstalledPackage(module, dirname(wasmFile))) {
      found[module] = module
    }
  }
  return found
}

/** Modules the wasm imports that nothing provides by default (so `?asyncify` named exports cannot link). */
export function unprovidedModules(meta: WasmMeta, provided: Record<string, string>): string[] {
  return [...new Set(meta.imports.map((entry) => entry.module))].filter(
    (module) => !Object.hasOwn(provided, module),
  )
}

function isInstalledPackage(specifier: string, from: string): boolean {
  if (HOST_MODULES.has(specifier) || specifier.includes(':')) return false
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
  if (!/^(?:@[\w.-]+\/)?[\w.-]+$/.test(name)) return false
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true
    if (dirname(dir) === dir) return false
  }
}
