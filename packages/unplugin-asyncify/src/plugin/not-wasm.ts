import { relative } from 'node:path'
import { AsyncifyError } from '@unplugin-asyncify/core'
import { slash } from './paths.ts'

/**
 * `?asyncify` on a file that is not a `.wasm` binary (`game.wat?asyncify`, `game.js?asyncify`): without this the
 * bundler would parse the file as JavaScript and fail with a syntax error that names neither the query nor the fix.
 */
export function notWasmImport(file: string, root: string): AsyncifyError {
  const shown = slash(relative(root, file)) || file
  const stem = shown.replace(/^.*\//, '').replace(/\.[^.]*$/, '')
  const wasm = JSON.stringify(`./${stem}.wasm?asyncify`)
  const [cause, fix] = /\.wa(t|st)$/.test(file)
    ? [
        'it is WebAssembly text, and ?asyncify works on .wasm binaries',
        `Compile it first (wat2wasm ${stem}.wat -o ${stem}.wasm, or Binaryen's wasm-as) and import ${wasm}`,
      ]
    : /\.[cm]?[jt]sx?$/.test(file)
      ? [
          'it is JavaScript, and ?asyncify works on .wasm binaries',
          `Import the .wasm file itself, e.g. ${wasm} (Emscripten and wasm-bindgen output keep their own loaders)`,
        ]
      : ['?asyncify works on .wasm binaries only', `Import a .wasm file, e.g. ${wasm}`]
  return new AsyncifyError('ASYNCIFY_NOT_WASM', `Failed to asyncify "${shown}": ${cause}. ${fix}`, {
    file: shown,
  })
}
