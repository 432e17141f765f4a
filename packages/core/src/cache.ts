/**
 * Content-addressed cache of transform results. Key: sha256 of the input bytes, the resolved options, the
 * binaryen version and our version. An entry is a directory written under a temporary name and renamed into
 * place (atomic), holding both binaries and a JSON file with their lengths and hashes, so a partial or
 * corrupted entry is detected and rebuilt. Reading an entry never loads binaryen or starts a worker.
 */

import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { WasmMeta } from '@unplugin-asyncify/runtime'
import type { TransformOptions, TransformOutput } from './binaryen/protocol.ts'
import { toolVersions } from './versions.ts'

/** Bumped when the entry layout or the meaning of a stored field changes. */
const ENTRY_FORMAT = 1
const ENTRY_FILE = 'entry.json'
const WASM_FILE = 'asyncify.wasm'
const JSPI_FILE = 'jspi.wasm'

interface StoredFile {
  bytes: number
  sha256: string
}

interface StoredEntry {
  format: number
  key: string
  wasm: StoredFile
  jspiWasm?: StoredFile
  meta: WasmMeta
  instrumented: number
  totalFunctions: number
  warnings: string[]
  binaryenOutput?: string
  suggestedAsyncImports?: string[]
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
  const output: TransformOutput = {
    wasm,
    meta: entry.meta,
    instrumented: entry.instrumented,
    totalFunctions: entry.totalFunctions,
    warnings: entry.warnings,
  }
  if (entry.jspiWasm) {
    const jspiWasm = await readChecked(join(dir, JSPI_FILE), entry.jspiWasm)
    if (typeof jspiWasm === 'string') return { status: 'corrupt', reason: jspiWasm }
    output.jspiWasm = jspiWasm
  }
  if (entry.binaryenOutput !== undefined) output.binaryenOutput = entry.binaryenOutput
  if (entry.suggestedAsyncImports !== undefined) output.suggestedAsyncImports = entry.suggestedAsyncImports
  return { status: 'hit', output }
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
    const entry: StoredEntry = {
      format: ENTRY_FORMAT,
      key,
      wasm: { bytes: output.wasm.length, sha256: sha256(output.wasm) },
      meta: output.meta,
      instrumented: output.instrumented,
      totalFunctions: output.totalFunctions,
      warnings: output.warnings,
    }
    await writeFile(join(temp, WASM_FILE), output.wasm)
    if (output.jspiWasm) {
      entry.jspiWasm = { bytes: output.jspiWasm.length, sha256: sha256(output.jspiWasm) }
      await writeFile(join(temp, JSPI_FILE), output.jspiWasm)
    }
    if (output.binaryenOutput !== undefined) entry.binaryenOutput = output.binaryenOutput
    if (output.suggestedAsyncImports !== undefined) entry.suggestedAsyncImports = output.suggestedAsyncImports
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
