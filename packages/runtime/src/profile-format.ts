/**
 * The profile file (`<name>.asyncify-profile.json`, next to the .wasm): which imports really paused and which
 * wasm functions were on the stack when they did, recorded by running the program. A build with the file
 * instruments exactly those functions. It is meant to be committed, so the text is stable: keys and names
 * sorted (by code unit, not locale), one name per line, a newline at the end. docs/performance.md describes it.
 */

/** The version this code reads and writes. */
export const PROFILE_VERSION = 1

/** What the build knows of the module a profile was recorded with: enough to tell that it changed. */
export interface ProfileModule {
  /** sha256 (hex) of the input .wasm. */
  sha256: string
  /** Functions defined in the input. */
  functions: number
  /**
   * `input`: function names come from the input's name section. `index`: the input has none, so functions carry
   * Binaryen's index names (`"263"`: the 264th defined function), which mean something only for these bytes.
   */
  names: 'input' | 'index'
}

export interface AsyncifyProfile {
  /** The format version (and what tells this file apart from other JSON). */
  asyncifyProfile: typeof PROFILE_VERSION
  /** Binaryen's names of the functions seen on the stack at a pause: what the build instruments. */
  functions: string[]
  /** Imports that returned a promise, `module.name`. */
  imports: string[]
  module: ProfileModule
}

/** Every function name of the current module, or a function that finds them (only called when needed). */
export type KnownNames = ReadonlySet<string> | (() => ReadonlySet<string>)

/** One pause: the import and the wasm functions on the stack, innermost first. */
export interface PauseSample {
  import: string
  functions: string[]
}

/** The file text: sorted, two-space JSON with one name per line and a final newline. */
export function serializeProfile(profile: AsyncifyProfile): string {
  const sorted: AsyncifyProfile = {
    asyncifyProfile: PROFILE_VERSION,
    functions: sortedUnique(profile.functions),
    imports: sortedUnique(profile.imports),
    module: {
      functions: profile.module.functions,
      names: profile.module.names,
      sha256: profile.module.sha256,
    },
  }
  return `${JSON.stringify(sorted, null, 2)}\n`
}

/** Reads a profile file's text; throws a `TypeError` that says what is wrong with it. */
export function parseProfile(text: string): AsyncifyProfile {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new TypeError(`it is not JSON (${(error as Error).message})`)
  }
  const record = value as Partial<AsyncifyProfile> | null
  if (record === null || typeof record !== 'object' || !('asyncifyProfile' in record)) {
    throw new TypeError('it has no "asyncifyProfile" version field')
  }
  if (record.asyncifyProfile !== PROFILE_VERSION) {
    throw new TypeError(
      `it has version ${String(record.asyncifyProfile)}, this version reads ${PROFILE_VERSION}`,
    )
  }
  const names = (key: 'functions' | 'imports'): string[] => {
    const list = record[key]
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
      throw new TypeError(`"${key}" must be an array of non-empty strings`)
    }
    return list
  }
  const module = record.module as Partial<ProfileModule> | undefined
  if (
    !module ||
    typeof module.sha256 !== 'string' ||
    !Number.isInteger(module.functions) ||
    (module.names !== 'input' && module.names !== 'index')
  ) {
    throw new TypeError('"module" must hold sha256, functions and names ("input" or "index")')
  }
  return {
    asyncifyProfile: PROFILE_VERSION,
    functions: names('functions'),
    imports: names('imports'),
    module: { sha256: module.sha256, functions: module.functions!, names: module.names },
  }
}

/**
 * `existing` plus `samples` (a union) for `module`. When the module changed since `existing` was recorded,
 * recorded names that no longer exist are dropped (`known`: every function name of the current module, when
 * the caller has them), and index names all are: they meant other functions in the old bytes.
 */
export function mergeProfile(
  existing: AsyncifyProfile | undefined,
  module: ProfileModule,
  samples: Iterable<PauseSample>,
  known?: KnownNames,
): AsyncifyProfile {
  let functions = existing?.functions ?? []
  if (existing && existing.module.sha256 !== module.sha256) {
    const names = typeof known === 'function' ? known() : known
    if (module.names === 'index' || existing.module.names === 'index') functions = []
    else if (names) functions = functions.filter((name) => names.has(name))
  }
  const allFunctions = new Set(functions)
  const imports = new Set(existing?.imports)
  for (const sample of samples) {
    imports.add(sample.import)
    for (const name of sample.functions) allFunctions.add(name)
  }
  return {
    asyncifyProfile: PROFILE_VERSION,
    functions: sortedUnique(allFunctions),
    imports: sortedUnique(imports),
    module,
  }
}

/** Sorted by UTF-16 code unit, so every machine and locale writes the same order. */
function sortedUnique(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The subset of `node:fs` a profile writer uses (synchronous: a pause must not wait for the disk). */
export interface ProfileFs {
  readFileSync(path: string, encoding: 'utf8'): string
  writeFileSync(path: string, data: string): void
  renameSync(from: string, to: string): void
  rmSync(path: string, options: { force: boolean }): void
  mkdirSync(path: string): unknown
  rmdirSync(path: string): void
  statSync(path: string): { mtimeMs: number }
}

/** How long a writer waits for another one's lock, and when a lock is old enough to be a crashed writer's. */
const LOCK_WAIT_MS = 2000
const LOCK_STALE_MS = 10_000

/**
 * Merges `samples` into the profile at `file` and writes it when that adds anything (to a temporary file,
 * renamed over the old one). Several processes may record the same module at once (test workers): the
 * read-merge-write runs under a lock directory (`<file>.lock`, created atomically). Throws when the existing
 * file is not a profile: it is never overwritten, it may be a merge conflict to resolve.
 */
export function writeProfileSamples(
  fs: ProfileFs,
  file: string,
  module: ProfileModule,
  samples: readonly PauseSample[],
  known?: KnownNames,
): void {
  const lock = `${file}.lock`
  const locked = acquire(fs, lock)
  try {
    const before = readProfileFile(fs, file)
    const text = serializeProfile(mergeProfile(before, module, samples, known))
    if (before && serializeProfile(before) === text) return
    const temp = `${file}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`
    try {
      fs.writeFileSync(temp, text)
      fs.renameSync(temp, file)
    } finally {
      fs.rmSync(temp, { force: true })
    }
  } finally {
    if (locked) fs.rmdirSync(lock)
  }
}

/** Takes the lock; false when another writer kept it past the wait (then we write anyway, best effort). */
function acquire(fs: ProfileFs, lock: string): boolean {
  const until = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      fs.mkdirSync(lock)
      return true
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error
    }
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmdirSync(lock)
    } catch {
      // released meanwhile
    }
    if (Date.now() > until) return false
    // a synchronous wait: the pause that is being recorded cannot yield
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5)
  }
}

/** The profile at `file`, undefined when there is none; throws when the file is not one. */
export function readProfileFile(
  fs: Pick<ProfileFs, 'readFileSync'>,
  file: string,
): AsyncifyProfile | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined
    throw error
  }
  return parseProfile(text)
}
