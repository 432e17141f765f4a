/**
 * Content-addressed cache of transform results. Key: sha256 of the input bytes, the resolved options, the
 * binaryen version and our version. An entry is a directory written under a temporary name and renamed into
 * place (atomic), holding both binaries and a JSON file with their lengths and hashes, so a partial or
 * corrupted entry is detected and rebuilt. Reading an entry never loads binaryen or starts a worker.
 */

import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TransformOptions, TransformOutput } from './binaryen/protocol.ts'
import { toolVersions } from './versions.ts'

/** Bumped when the entry layout or the meaning of a stored field changes. */
const ENTRY_FORMAT = 6
const ENTRY_FILE = 'entry.json'
const WASM_FILE = 'asyncify.wasm'
const JSPI_FILE = 'jspi.wasm'

interface StoredFile {
  bytes: number
  sha256: string
}

/** `entry.json`: the transform output with both binaries replaced by their length and hash. */
interface StoredEntry extends Omit<TransformOutput, 'wasm' | 'jspiWasm'> {
  format: number
  key: string
  wasm: StoredFile
  jspiWasm?: StoredFile
}

export type CacheLookup =
  | { status: 'hit'; output: TransformOutput }
  | { status: 'miss' }
  | { status: 'corrupt'; reason: string }

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Stable key: options are serialized with sorted keys so property order does not matter. */
export function cacheKey(bytes: Uint8Array, options: TransformOptions): string {
  const sorted = Object.fromEntries(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)))
  const versions = toolVersions()
  return sha256(
    JSON.stringify({
      format: ENTRY_FORMAT,
      input: sha256(bytes),
      options: sorted,
      binaryen: versions.binaryen,
      core: versions.core,
    }),
  )
}

export function entryDir(cacheDir: string, key: string): string {
  return join(cacheDir, key.slice(0, 2), key)
}

export async function readCache(cacheDir: string, key: string): Promise<CacheLookup> {
  const dir = entryDir(cacheDir, key)
  let entry: StoredEntry
  try {
    entry = JSON.parse(await readFile(join(dir, ENTRY_FILE), 'utf8')) as StoredEntry
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'miss' }
    return { status: 'corrupt', reason: `unreadable ${ENTRY_FILE}` }
  }
  if (entry.format !== ENTRY_FORMAT || entry.key !== key || !entry.wasm || !entry.meta) {
    return { status: 'corrupt', reason: `unexpected ${ENTRY_FILE} contents` }
  }
  const wasm = await readChecked(join(dir, WASM_FILE), entry.wasm)
  if (typeof wasm === 'string') return { status: 'corrupt', reason: wasm }
  const { format: _format, key: _key, wasm: _wasm, jspiWasm: storedJspi, ...rest } = entry
  const output: TransformOutput = { ...rest, wasm }
  if (storedJspi) {
    const jspiWasm = await readChecked(join(dir, JSPI_FILE), storedJspi)
    if (typeof jspiWasm === 'string') return { status: 'corrupt', reason: jspiWasm }
    output.jspiWasm = jspiWasm
  }
  return { status: 'hit', output }
}

function storedFile(bytes: Uint8Array): StoredFile {
  return { bytes: bytes.length, sha256: sha256(bytes) }
}

async function readChecked(path: string, expected: StoredFile): Promise<Uint8Array<ArrayBuffer> | string> {
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = Uint8Array.from(await readFile(path))
  } catch {
    return `missing ${path}`
  }
  if (bytes.length !== expected.bytes) return `${path} has ${bytes.length} bytes, expected ${expected.bytes}`
  if (sha256(bytes) !== expected.sha256) return `${path} does not match its recorded hash`
  return bytes
}

/** Write the entry atomically; a concurrent writer of the same key wins harmlessly (same content). */
export async function writeCache(cacheDir: string, key: string, output: TransformOutput): Promise<void> {
  const dir = entryDir(cacheDir, key)
  const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  await mkdir(temp, { recursive: true })
  try {
    const { wasm, jspiWasm, ...rest } = output
    const entry: StoredEntry = { ...rest, format: ENTRY_FORMAT, key, wasm: storedFile(wasm) }
    await writeFile(join(temp, WASM_FILE), wasm)
    if (jspiWasm) {
      entry.jspiWasm = storedFile(jspiWasm)
      await writeFile(join(temp, JSPI_FILE), jspiWasm)
    }
    await writeFile(join(temp, ENTRY_FILE), JSON.stringify(entry))
    // A corrupt entry may sit at the final name: replace it.
    await rm(dir, { recursive: true, force: true })
    try {
      await rename(temp, dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error
    }
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}
