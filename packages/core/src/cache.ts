/**
 * Content-addressed cache of transform results. Key: sha256 of the input bytes, the resolved options, the
 * binaryen version and our version. An entry is ONE file, `<key>.entry`: a JSON header line (the transform
 * output with both binaries replaced by their lengths and hashes), then the binaries. It is written to a
 * temporary file and renamed over the final name: a rename replaces a file atomically, so every reader, in
 * this process or another, sees a whole old entry or a whole new one, never a mix and never a gap. Concurrent
 * writers of one key write the same bytes; the last rename wins. A partial or corrupted entry (a crash, a disk
 * problem, an edit) is detected by its hashes and rebuilt. Reading never loads binaryen or starts a worker.
 */

import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TransformOptions, TransformOutput } from './binaryen/protocol.ts'
import { toolVersions } from './versions.ts'

/** Bumped when the entry layout or the meaning of a stored field changes. */
const ENTRY_FORMAT = 10
const ENTRY_SUFFIX = '.entry'
const NEWLINE = 0x0a

interface StoredFile {
  bytes: number
  sha256: string
}

/** The header line: the transform output with both binaries replaced by their length and hash. */
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

/** `<cacheDir>/<first two hex digits>/<key>.entry`: 256 directories keep each one small. */
export function entryPath(cacheDir: string, key: string): string {
  return join(cacheDir, key.slice(0, 2), `${key}${ENTRY_SUFFIX}`)
}

export async function readCache(cacheDir: string, key: string): Promise<CacheLookup> {
  const path = entryPath(cacheDir, key)
  let file: Buffer
  try {
    file = await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'miss' }
    return { status: 'corrupt', reason: `unreadable ${path} (${code ?? String(error)})` }
  }
  const headerEnd = file.indexOf(NEWLINE)
  let entry: StoredEntry
  try {
    entry = JSON.parse(file.subarray(0, headerEnd === -1 ? file.length : headerEnd).toString('utf8'))
  } catch {
    return { status: 'corrupt', reason: `${path} has no readable header` }
  }
  if (entry?.format !== ENTRY_FORMAT || entry.key !== key || !entry.wasm || !entry.meta) {
    return { status: 'corrupt', reason: `${path} has an unexpected header` }
  }
  let offset = headerEnd + 1
  const take = (stored: StoredFile, what: string): Uint8Array<ArrayBuffer> | string => {
    const bytes = Uint8Array.from(file.subarray(offset, offset + stored.bytes))
    offset += stored.bytes
    if (bytes.length !== stored.bytes) return `${path} ends inside ${what}`
    if (sha256(bytes) !== stored.sha256) return `${what} in ${path} does not match its recorded hash`
    return bytes
  }
  const wasm = take(entry.wasm, 'the asyncified wasm')
  if (typeof wasm === 'string') return { status: 'corrupt', reason: wasm }
  const { format: _format, key: _key, wasm: _wasm, jspiWasm: storedJspi, ...rest } = entry
  const output: TransformOutput = { ...rest, wasm }
  if (storedJspi) {
    const jspiWasm = take(storedJspi, 'the JSPI wasm')
    if (typeof jspiWasm === 'string') return { status: 'corrupt', reason: jspiWasm }
    output.jspiWasm = jspiWasm
  }
  if (offset !== file.length) return { status: 'corrupt', reason: `${path} has trailing bytes` }
  return { status: 'hit', output }
}

function storedFile(bytes: Uint8Array): StoredFile {
  return { bytes: bytes.length, sha256: sha256(bytes) }
}

/** Write the entry atomically: a temporary file in the same directory, renamed over the final name. */
export async function writeCache(cacheDir: string, key: string, output: TransformOutput): Promise<void> {
  const path = entryPath(cacheDir, key)
  const { wasm, jspiWasm, ...rest } = output
  const entry: StoredEntry = { ...rest, format: ENTRY_FORMAT, key, wasm: storedFile(wasm) }
  if (jspiWasm) entry.jspiWasm = storedFile(jspiWasm)
  // JSON.stringify escapes every newline, so the header is exactly one line.
  const parts = [Buffer.from(`${JSON.stringify(entry)}\n`), wasm, ...(jspiWasm ? [jspiWasm] : [])]
  await mkdir(join(cacheDir, key.slice(0, 2)), { recursive: true })
  const temp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temp, Buffer.concat(parts))
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    // Windows refuses to replace a file another process has open: that process holds the same entry.
    const code = (error as NodeJS.ErrnoException).code
    if (
      (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') &&
      (await readCache(cacheDir, key)).status === 'hit'
    ) {
      return
    }
    throw error
  }
}
