import { createHash, randomUUID } from 'node:crypto'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { AsyncifyResult } from '@unplugin-asyncify/core'

/** The two files one wasm import can produce: the asyncified bytes and, with `jspi: 'auto'`, the plain ones. */
export type AssetMode = 'asyncify' | 'jspi'

export interface WasmAsset {
  mode: AssetMode
  /** `game.wasm` or `game.jspi.wasm`: what bundlers derive hashed output names from. */
  name: string
  bytes: Uint8Array
  /** First 16 hex digits of the SHA-256 of `bytes`. */
  hash: string
}

/**
 * Characters an asset name keeps from the wasm file's name. Everything else (`\`, `#`, `?`, `%`, quotes, line
 * breaks) would be read as URL syntax or a separator by some host once the name is part of an asset URL.
 */
const UNSAFE_NAME_RE = /[^\p{L}\p{N}._-]+/gu
/** Leaves room for `-<hash>.jspi.wasm` within the 255 bytes most file systems allow. */
const STEM_LIMIT = 64

/** The files the runtime may load, per mode: `wasm` is the JSPI build itself under `jspi: 'only'`. */
export function wasmAssets(file: string, result: AsyncifyResult): WasmAsset[] {
  const stem = assetStem(file)
  const make = (mode: AssetMode, bytes: Uint8Array): WasmAsset => ({
    mode,
    name: mode === 'jspi' ? `${stem}.jspi.wasm` : `${stem}.wasm`,
    bytes,
    hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
  })
  if (result.meta.jspi === 'only') return [make('jspi', result.wasm)]
  const assets = [make('asyncify', result.wasm)]
  if (result.jspiWasm) assets.push(make('jspi', result.jspiWasm))
  return assets
}

/** `game` for `src/game.wasm`; `a_b` for `a\b.wasm`: the name part of the asset files, safe in any URL. */
export function assetStem(file: string): string {
  const safe = basename(file)
    .replace(/\.wasm$/, '')
    .replace(UNSAFE_NAME_RE, '_')
    .replace(/^\.+/, '')
  // By code point, so a cut never leaves half a surrogate pair.
  return [...safe].slice(0, STEM_LIMIT).join('') || 'module'
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/**
 * Where processed bytes are written for hosts that pick assets up from disk (webpack, Rspack, Vite dev):
 * next to core's cache, `<root>/node_modules/.cache/unplugin-asyncify/assets` unless `cacheDir` says otherwise.
 */
export function assetsDir(root: string, cacheDir: string | false | undefined): string {
  return resolve(
    root,
    typeof cacheDir === 'string' ? cacheDir : 'node_modules/.cache/unplugin-asyncify',
    'assets',
  )
}

/**
 * Write `<stem>-<hash>.wasm` once. The name changes with the content, so a file that exists is already right and
 * a host watching it never sees it change; the temp-file rename keeps concurrent builds from reading half a file.
 */
export function writeAssetFile(dir: string, asset: WasmAsset): Promise<string> {
  const path = join(dir, asset.name.replace(/\.wasm$/, `-${asset.hash}.wasm`))
  let pending = writing.get(path)
  if (!pending) {
    pending = writeOnce(dir, path, asset.bytes)
    writing.set(path, pending)
    pending.finally(() => writing.delete(path)).catch(() => {})
  }
  return pending
}

/** Writes in flight in this process, by path: `?asyncify` and `?asyncify&init` ask for the same file at once. */
const writing = new Map<string, Promise<string>>()

async function writeOnce(dir: string, path: string, bytes: Uint8Array): Promise<string> {
  const existing = await stat(path).catch(() => undefined)
  if (existing?.size === bytes.length) return path
  await mkdir(dir, { recursive: true })
  const temp = `${path}.${randomUUID()}.tmp`
  await writeFile(temp, bytes)
  await rename(temp, path)
  return path
}
