/** The in-memory file system: the files the user gives, under one directory preopened as `/`. */
import { Directory, File, type Inode, PreopenDirectory } from '@bjorn3/browser_wasi_shim'
import { fail } from './errors.ts'

/** File contents: text is stored UTF-8 encoded. */
export type FileContents = string | Uint8Array | ArrayBuffer

const encoder = new TextEncoder()

function toBytes(contents: FileContents): Uint8Array {
  if (typeof contents === 'string') return encoder.encode(contents)
  if (contents instanceof Uint8Array) return contents.slice() // the program may write to it
  if (contents instanceof ArrayBuffer) return new Uint8Array(contents.slice(0))
  throw new TypeError('file contents must be a string, a Uint8Array or an ArrayBuffer')
}

/**
 * `/` with `files` in it (`{ '/data/input.txt': 'text' }`; a path without a leading `/` is the same path
 * from the root). Directories on the way are created. The program may create, write and delete files; it
 * all stays in this instance's memory.
 */
export function rootDirectory(files: Record<string, FileContents> = {}): PreopenDirectory {
  // A plain tree first: the shim links a directory to its parent only when the parent is constructed.
  interface Tree extends Map<string, Tree | Uint8Array> {}
  const root: Tree = new Map()
  for (const [path, contents] of Object.entries(files)) {
    const parts = path.split('/').filter((part) => part !== '' && part !== '.')
    if (parts.length === 0 || parts.includes('..')) {
      throw fail(
        'WASI_INVALID_OPTION',
        `add the file ${JSON.stringify(path)}`,
        'a file path must name a file below / and must not contain ".."',
        'Use a path such as "/data/input.txt"',
      )
    }
    let dir = root
    for (const part of parts.slice(0, -1)) {
      let entry = dir.get(part)
      if (entry === undefined) {
        entry = new Map()
        dir.set(part, entry)
      }
      if (!(entry instanceof Map)) {
        throw fail(
          'WASI_INVALID_OPTION',
          `add the file ${JSON.stringify(path)}`,
          `"${part}" is a file, not a directory`,
          'Give each path only once',
        )
      }
      dir = entry
    }
    dir.set(parts.at(-1)!, toBytes(contents))
  }
  const toInodes = (tree: Tree): Map<string, Inode> =>
    new Map(
      [...tree].map(([name, entry]) => [
        name,
        entry instanceof Map ? new Directory(toInodes(entry)) : new File(entry),
      ]),
    )
  return new PreopenDirectory('/', toInodes(root))
}
