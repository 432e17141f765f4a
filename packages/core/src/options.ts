import { readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { asyncifyError } from './errors.ts'

/**
 * The one options object of unplugin-asyncify, shared by the core API, the CLI and every bundler adapter.
 * `resolveOptions()` is the only place where defaults live.
 */

/** A list of names, or a path to a text file with one name per line (we read it: binaryen.js cannot). */
export type NameList = string[] | string

export interface AsyncifyOptions {
  /**
   * Wasm imports that may pause the program, as `module.name`, `*` wildcards allowed (`env.sleep`, `env.*`).
   * Binaryen's `asyncify-imports`. Entries are trimmed and validated. The WASI imports that wait
   * (`WASI_ASYNC_IMPORTS`: stdin reads and sleeps) are always added, so a WASI program needs no entry.
   * @default every import may pause (the build report then suggests a precise list)
   */
  asyncImports?: NameList
  /**
   * Assume no indirect call (function pointer) is on the stack when the program pauses. Shrinks and speeds up
   * code with many function pointers; wrong if a pause really goes through one (then list it in `addList`).
   * @default false
   */
  ignoreIndirect?: boolean
  /** Functions to instrument in addition to the analysis (Binaryen `asyncify-addlist`). Needs a name section. */
  addList?: NameList
  /** Functions never to instrument (Binaryen `asyncify-removelist`). Needs a name section. */
  removeList?: NameList
  /** Instrument exactly these functions (Binaryen `asyncify-onlylist`). Cannot be combined with add/remove lists. */
  onlyList?: NameList
  /** Also instrument the callers of `addList` functions (Binaryen `asyncify-propagate-addlist`). @default false */
  propagateAddList?: boolean
  /**
   * Trap when a function that was not instrumented changes the Asyncify state (Binaryen `asyncify-asserts`).
   * @default true in development, false in production; always off for modules that import `asyncify.*`
   */
  asserts?: boolean
  /** Binaryen optimize level 0-4 (run after the pass). @default 1 in development, 2 in production */
  optimizeLevel?: 0 | 1 | 2 | 3 | 4
  /** Binaryen shrink level 0-2. @default 0 */
  shrinkLevel?: 0 | 1 | 2
  /**
   * Bytes of the unwind buffer that holds the paused call stack. Too small: the call rejects with
   * `ASYNCIFY_STACK_OVERFLOW` naming this option. Only the bytes a pause really writes cost memory.
   * @default 1048576 (1 MiB)
   */
  stackSize?: number
  /**
   * Most calls of one instance that may be paused at the same time; more calls wait in a FIFO queue until one
   * of them settles. Each paused call keeps its saved stack (usually a few hundred bytes to a few KiB).
   * @default 256
   */
  maxPausedCalls?: number
  /**
   * Keep the name section (function names in stack traces and in runtime errors). DWARF (`.debug_*`) is always
   * removed: the Asyncify pass changes the code under it, so it would point at the wrong lines.
   * @default true in development, false in production
   */
  keepNames?: boolean
  /**
   * JSPI (`WebAssembly.Suspending`/`promising`): `'auto'` uses it where the engine has it and emits the
   * non-asyncified bytes for that path, `'off'` never does, `'only'` emits only those and fails without JSPI.
   * @default 'auto'
   */
  jspi?: 'auto' | 'off' | 'only'
  /** Cache directory, or `false` to disable the cache. @default '<root>/node_modules/.cache/unplugin-asyncify' */
  cacheDir?: string | false
  /**
   * Profile-guided instrumentation (docs/performance.md). A profile file lists the imports that really paused
   * and the functions that were on the stack when they did; a build with it instruments only those
   * (`onlyList`, `asyncImports` plus the recorded imports, `asserts` on unless set), and a pause on any other
   * path rejects with `ASYNCIFY_NOT_IN_PROFILE`.
   * - `'record'`: development builds record (every pause adds to the file, from Node, Vitest or a Vite dev
   *   page); production builds use the file.
   * - `true`: use the file; warn when it is missing. `false`: ignore it.
   * @default use the file when it exists
   */
  profile?: boolean | 'record'
  /**
   * Where the profile is, relative to the root; `[name]` is the wasm file's name without `.wasm`.
   * @default '<wasm file without .wasm>.asyncify-profile.json', next to the wasm
   */
  profileFile?: string
}

export interface ResolvedAsyncifyOptions {
  /**
   * `'jspi'`: stop before the pass and return only the JSPI binary with its meta (`prepareJspi()`); a dev server
   * serves that first and builds the Asyncify binary when a browser without JSPI asks for it.
   */
  stage?: 'jspi'
  /** Normalized (trimmed, deduplicated, file contents read); `undefined` = every import may pause. */
  asyncImports: string[] | undefined
  ignoreIndirect: boolean
  addList: string[]
  removeList: string[]
  onlyList: string[]
  propagateAddList: boolean
  asserts: boolean
  optimizeLevel: 0 | 1 | 2 | 3 | 4
  shrinkLevel: 0 | 1 | 2
  stackSize: number
  maxPausedCalls: number
  keepNames: boolean
  jspi: 'auto' | 'off' | 'only'
  cacheDir: string | false
  /** `record` only in development (production uses the file); `auto`: use the file when it exists. */
  profile: 'auto' | 'use' | 'record' | 'off'
  /** As given (`[name]` not yet replaced); undefined: next to the wasm. */
  profileFile: string | undefined
}

export interface ResolveContext {
  /** Project root: relative list files and the default cache directory are resolved from it. @default process.cwd() */
  root?: string
  /** `development` turns asserts on by default. @default 'production' */
  mode?: 'development' | 'production'
}

// ---------------------------------------------------------------------------------------------
// Resolution: the only place defaults live.
// ---------------------------------------------------------------------------------------------

/** Every key `AsyncifyOptions` accepts, in documentation order (used to suggest the closest one). */
export const OPTION_KEYS: readonly (keyof AsyncifyOptions)[] = [
  'asyncImports',
  'ignoreIndirect',
  'addList',
  'removeList',
  'onlyList',
  'propagateAddList',
  'asserts',
  'optimizeLevel',
  'shrinkLevel',
  'stackSize',
  'maxPausedCalls',
  'keepNames',
  'jspi',
  'cacheDir',
  'profile',
  'profileFile',
]

/**
 * The WASI imports that @unplugin-asyncify/wasi may answer with a promise (`fd_read`: stdin waits for
 * input; `poll_oneoff`: sleep and poll wait for a timer or input). Added to every `asyncImports` list; an
 * import the module does not have costs nothing. Same list as that package's `WASI_ASYNC_IMPORTS`.
 */
export const WASI_ASYNC_IMPORTS: readonly string[] = [
  'wasi_snapshot_preview1.fd_read',
  'wasi_snapshot_preview1.poll_oneoff',
]

/**
 * 1 MiB: far more than the deepest pauses measured (Lua at its C-call limit, QuickJS deep in JS recursion; see
 * bench/RESULTS.md), and free until used: the runtime's region is untouched memory until a pause writes to it.
 */
export const DEFAULT_STACK_SIZE: number = 1 << 20
export const DEFAULT_MAX_PAUSED_CALLS = 256
const MIN_STACK_SIZE = 1024
const JSPI_MODES = ['auto', 'off', 'only'] as const

/**
 * Fill in defaults, read list files, normalize lists and validate every value.
 * Throws `AsyncifyError` (`ASYNCIFY_UNKNOWN_OPTION`, `ASYNCIFY_INVALID_OPTION`, `ASYNCIFY_LIST_FILE`).
 */
export async function resolveOptions(
  options: AsyncifyOptions = {},
  context: ResolveContext & { filename?: string } = {},
): Promise<ResolvedAsyncifyOptions> {
  const root = context.root ?? process.cwd()
  const mode = context.mode ?? 'production'
  const file = displayFile(context.filename, root)
  const fail = (cause: string, fix: string) => asyncifyError('ASYNCIFY_INVALID_OPTION', file, cause, fix)

  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw fail('options must be an object', 'Pass an object such as { asyncImports: ["env.sleep"] }')
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      const closest = closestKey(key, OPTION_KEYS)
      throw asyncifyError(
        'ASYNCIFY_UNKNOWN_OPTION',
        file,
        `unknown option "${key}"`,
        closest ? `Did you mean "${closest}"?` : `Valid options: ${OPTION_KEYS.join(', ')}`,
      )
    }
  }

  const readList = (name: keyof AsyncifyOptions) =>
    resolveList(name, options[name] as NameList | undefined, root, file)
  const asyncImports = options.asyncImports === undefined ? undefined : await readList('asyncImports')
  for (const entry of asyncImports ?? []) validateImportPattern(entry, file)
  for (const entry of WASI_ASYNC_IMPORTS)
    if (asyncImports && !asyncImports.includes(entry)) asyncImports.push(entry)
  const addList = (await readList('addList')) ?? []
  const removeList = (await readList('removeList')) ?? []
  const onlyList = (await readList('onlyList')) ?? []
  if (onlyList.length > 0 && (addList.length > 0 || removeList.length > 0)) {
    throw fail(
      'onlyList cannot be combined with addList or removeList',
      'Use either onlyList, or addList/removeList',
    )
  }
  const both = addList.filter((name) => removeList.includes(name))
  if (both.length > 0) {
    throw fail(`"${both[0]}" is in both addList and removeList`, 'Remove it from one of the two lists')
  }

  const bool = (name: keyof AsyncifyOptions, fallback: boolean): boolean => {
    const value = options[name]
    if (value === undefined) return fallback
    if (typeof value !== 'boolean')
      throw fail(`option "${name}" must be true or false, got ${show(value)}`, '')
    return value
  }
  const int = (name: keyof AsyncifyOptions, fallback: number, max: number, min = 0): number => {
    const value = options[name]
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw fail(`option "${name}" must be an integer from ${min} to ${max}, got ${show(value)}`, '')
    }
    return value
  }

  const stackSize = options.stackSize ?? DEFAULT_STACK_SIZE
  if (!Number.isInteger(stackSize) || stackSize < MIN_STACK_SIZE || stackSize % 8 !== 0) {
    throw fail(
      `option "stackSize" must be an integer >= ${MIN_STACK_SIZE} and a multiple of 8, got ${show(options.stackSize)}`,
      `Use for example stackSize: ${DEFAULT_STACK_SIZE}`,
    )
  }
  const jspi = options.jspi ?? 'auto'
  if (!JSPI_MODES.includes(jspi)) {
    throw fail(
      `option "jspi" must be one of ${JSPI_MODES.map((m) => `"${m}"`).join(', ')}, got ${show(jspi)}`,
      '',
    )
  }
  const cacheDir = resolveCacheDir(options.cacheDir, root, fail)
  const profile = options.profile
  if (profile !== undefined && typeof profile !== 'boolean' && profile !== 'record') {
    throw fail(`option "profile" must be true, false or "record", got ${show(profile)}`, '')
  }
  const profileFile = options.profileFile
  if (profileFile !== undefined && (typeof profileFile !== 'string' || profileFile.trim() === '')) {
    throw fail(
      `option "profileFile" must be a file path, got ${show(profileFile)}`,
      'For example profileFile: "profiles/[name].asyncify-profile.json"',
    )
  }

  return {
    asyncImports,
    ignoreIndirect: bool('ignoreIndirect', false),
    addList,
    removeList,
    onlyList,
    propagateAddList: bool('propagateAddList', false),
    asserts: bool('asserts', mode === 'development'),
    optimizeLevel: int(
      'optimizeLevel',
      mode === 'development' ? 1 : 2,
      4,
    ) as ResolvedAsyncifyOptions['optimizeLevel'],
    shrinkLevel: int('shrinkLevel', 0, 2) as ResolvedAsyncifyOptions['shrinkLevel'],
    stackSize,
    maxPausedCalls: int('maxPausedCalls', DEFAULT_MAX_PAUSED_CALLS, 1_000_000, 1),
    keepNames: bool('keepNames', mode === 'development'),
    jspi,
    cacheDir,
    profile:
      profile === false
        ? 'off'
        : profile === true
          ? 'use'
          : profile === 'record' && mode === 'development'
            ? 'record'
            : 'auto',
    profileFile,
  }
}

/** The file name users see in messages: relative to the root when inside it. */
export function displayFile(filename: string | undefined, root: string = process.cwd()): string | undefined {
  if (filename === undefined) return undefined
  const clean = filename.replace(/[?#].*$/, '')
  if (!isAbsolute(clean)) return clean
  const rel = relative(root, clean)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : clean
}

function resolveCacheDir(
  value: string | false | undefined,
  root: string,
  fail: (cause: string, fix: string) => Error,
): string | false {
  if (value === false) return false
  if (value === undefined) return resolve(root, 'node_modules/.cache/unplugin-asyncify')
  if (typeof value !== 'string' || value.trim() === '') {
    throw fail(`option "cacheDir" must be a directory path or false, got ${show(value)}`, '')
  }
  return resolve(root, value)
}

/** Arrays are used as given (trimmed); a string is a list file we read, because binaryen.js cannot read files. */
async function resolveList(
  name: keyof AsyncifyOptions,
  value: NameList | undefined,
  root: string,
  file: string | undefined,
): Promise<string[] | undefined> {
  if (value === undefined) return undefined
  let items: string[]
  if (Array.isArray(value)) {
    items = value.map((item) => {
      if (typeof item !== 'string') {
        throw asyncifyError(
          'ASYNCIFY_INVALID_OPTION',
          file,
          `option "${name}" contains ${show(item)}`,
          'Use strings',
        )
      }
      return item
    })
  } else if (typeof value === 'string') {
    const path = resolve(root, value)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw asyncifyError(
        'ASYNCIFY_LIST_FILE',
        file,
        `cannot read the ${name} list file "${value}" (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        `A string is read as a file relative to the root; to give names directly use an array: ${name}: [${JSON.stringify(value)}]`,
        { cause: error },
      )
    }
    items = splitListText(text)
  } else {
    throw asyncifyError(
      'ASYNCIFY_INVALID_OPTION',
      file,
      `option "${name}" must be an array of names or a list file path, got ${show(value)}`,
      '',
    )
  }
  const seen = new Set<string>()
  for (const item of items) {
    const trimmed = item.trim()
    if (trimmed !== '' && !trimmed.startsWith('#')) seen.add(trimmed)
  }
  return [...seen]
}

/** One name per line or comma-separated; commas inside brackets (C++ signatures) do not split. */
function splitListText(text: string): string[] {
  const items: string[] = []
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue
    let depth = 0
    let current = ''
    for (const char of line) {
      if ('(<[{'.includes(char)) depth++
      else if (')>]}'.includes(char)) depth = Math.max(0, depth - 1)
      if (char === ',' && depth === 0) {
        items.push(current)
        current = ''
      } else current += char
    }
    items.push(current)
  }
  return items
}

function validateImportPattern(entry: string, file: string | undefined): void {
  const example = 'Write imports as "module.name", e.g. "env.sleep" or "env.*"'
  if (/\s/.test(entry)) {
    throw asyncifyError(
      'ASYNCIFY_INVALID_OPTION',
      file,
      `asyncImports entry "${entry}" contains whitespace`,
      example,
    )
  }
  const dot = entry.indexOf('.')
  const wildcard = entry.includes('*')
  const looksQualified = dot > 0 && dot < entry.length - 1
  if (!looksQualified && !(wildcard && (dot >= 0 || entry === '*'))) {
    throw asyncifyError(
      'ASYNCIFY_INVALID_OPTION',
      file,
      `asyncImports entry "${entry}" is not of the form module.name`,
      example,
    )
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** Closest key by edit distance, when it is close enough to be a plausible typo. */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best !== undefined && bestDistance <= Math.max(3, Math.floor(best.length / 2)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    previous = current
  }
  return previous[b.length]!
}
