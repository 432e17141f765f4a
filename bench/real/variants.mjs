// Build variants of the real-program benchmark: extra `asyncify()` options on top of the two pausing imports.
// Pick them with `--variants=default,ignoreIndirect,...`; `default` is always built (it is the reference every
// figure is about). A variant whose options cannot be produced yet says why and is skipped.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { profilePath } from '@unplugin-asyncify/core'
import { repoRoot } from '../programs/programs.mjs'

export const VARIANTS = {
  /** `asyncImports` = the two real imports, defaults otherwise. */
  default: () => ({ options: {} }),
  /**
   * Every pause of these interpreters goes through a function pointer, so this is expected to break them
   * (issue 15): the benchmark reports it as a wrong result or an error, never as a figure.
   */
  ignoreIndirect: () => ({ options: { ignoreIndirect: true } }),
  /** Instrument only the functions listed in `bench/programs/<name>/only-list.txt`, one per line. */
  onlyList: (program) => {
    const file = join(program.wasm, '..', 'only-list.txt')
    return existsSync(file)
      ? { options: { onlyList: file } }
      : { skip: `no ${file} (write one, or use the profile variant)` }
  },
  /**
   * Profile-guided instrumentation (issue 13): only what `bench/programs/<name>/<name>.asyncify-profile.json`
   * recorded (`node bench/programs/record-profile.mjs`, or `--record`), with its safety net (asserts on).
   */
  profile: (program) => withProfile(program, { profile: true }),
  /** The same without the safety net (`asserts: false`): what the checks cost. */
  profileUnchecked: (program) => withProfile(program, { profile: true, asserts: false }),
  /** The recorded functions as a plain `onlyList` with Binaryen's `asyncify-asserts` instead of our checks. */
  profileBinaryenAsserts: (program) => {
    const file = profilePath(program.wasm, undefined, repoRoot)
    if (!existsSync(file)) return withProfile(program, {})
    const { functions, imports } = JSON.parse(readFileSync(file, 'utf8'))
    return { options: { onlyList: functions, asyncImports: imports, asserts: true } }
  },
}

function withProfile(program, options) {
  const file = profilePath(program.wasm, undefined, repoRoot)
  return existsSync(file)
    ? { options }
    : { skip: `no ${file} (record it: node bench/programs/record-profile.mjs ${program.name})` }
}

export function resolveVariants(names, program) {
  const unknown = names.filter((name) => !(name in VARIANTS))
  if (unknown.length) {
    throw new Error(`Unknown variant "${unknown[0]}": choose from ${Object.keys(VARIANTS).join(', ')}`)
  }
  const all = ['default', ...names.filter((name) => name !== 'default')]
  return all.map((name) => ({ name, ...VARIANTS[name](program) }))
}
