/** Turns a `SourceInput` into an instance: bytes, a compiled Module, a Response, or a URL to fetch/read. */
import { fail } from './errors.ts'
import type { SourceInput, WasmSource } from './types.ts'

interface FileReader {
  readFile(url: URL): Promise<Uint8Array>
}

/** `file:` URLs under Node, without an import statement a bundler would try to resolve. */
function nodeFs(): FileReader | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return process?.getBuiltinModule?.('node:fs/promises') as FileReader | undefined
}

function loadFailed(url: string, cause: unknown) {
  return fail(
    'ASYNCIFY_LOAD_FAILED',
    `load "${url}"`,
    String((cause as Error)?.message ?? cause),
    'Check that the file exists and is served (the build emits it next to the bundle)',
    cause,
  )
}

async function open(url: string): Promise<WasmSource> {
  try {
    const fs = url.startsWith('file:') ? nodeFs() : undefined
    return fs ? await fs.readFile(new URL(url)) : await fetch(url)
  } catch (cause) {
    throw loadFailed(url, cause)
  }
}

function isResponse(source: unknown): source is Response {
  return (
    typeof (source as Response).arrayBuffer === 'function' && typeof (source as Response).ok === 'boolean'
  )
}

export async function load(
  input: SourceInput,
  imports: WebAssembly.Imports,
): Promise<{ module: WebAssembly.Module; instance: WebAssembly.Instance }> {
  let source: WasmSource = await (typeof input === 'function' ? input() : input)
  if (source instanceof WebAssembly.Module)
    return { module: source, instance: await WebAssembly.instantiate(source, imports) }
  if (typeof source === 'string' || source instanceof URL) source = await open(String(source))
  if (isResponse(source)) {
    if (!source.ok) throw loadFailed(source.url, `HTTP ${source.status} ${source.statusText}`.trim())
    // Streaming needs the right MIME type; many servers send wasm as application/octet-stream
    // (mdn/webassembly-examples#5), so only stream when it will work and read the bytes otherwise.
    if (
      typeof WebAssembly.instantiateStreaming === 'function' &&
      /^application\/wasm\b/i.test(source.headers.get('content-type') ?? '')
    ) {
      return WebAssembly.instantiateStreaming(source, imports)
    }
    source = await source.arrayBuffer()
  }
  return WebAssembly.instantiate(source as BufferSource, imports)
}
