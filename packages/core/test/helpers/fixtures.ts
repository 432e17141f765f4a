/** Paths and bytes of the shared wasm fixtures (test/fixtures/wasm, see its README). */

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FIXTURES_DIR: string = fileURLToPath(new URL('../../../../test/fixtures/wasm/', import.meta.url))
export const REPO_ROOT: string = fileURLToPath(new URL('../../../../', import.meta.url))
export const CORE_DIR: string = fileURLToPath(new URL('../../', import.meta.url))

export function fixturePath(name: string): string {
  return `${FIXTURES_DIR}${name}`
}

export function fixture(name: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(readFileSync(fixturePath(name)))
}

/** The export names Asyncify adds. */
export const ASYNCIFY_EXPORTS: string[] = [
  'asyncify_start_unwind',
  'asyncify_stop_unwind',
  'asyncify_start_rewind',
  'asyncify_stop_rewind',
  'asyncify_get_state',
]

export function exportNames(wasm: Uint8Array<ArrayBuffer>): string[] {
  return WebAssembly.Module.exports(new WebAssembly.Module(wasm)).map((entry) => entry.name)
}
