// Build variants of the real-program benchmark: extra `asyncify()` options on top of the two pausing imports.
// Pick them with `--variants=default,ignoreIndirect,...`; `default` is always built (it is the reference every
// figure is about). A variant whose options cannot be produced yet says why and is skipped.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

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
      : { skip: `no ${file} (write one, or record a profile once the profile variant exists)` }
  },
  /**
   * HOOK for profile-guided instrumentation (issue 13). Today's `asyncify()` has no option that takes a
   * profile, and the runtime records none. When they exist: return the build options that use the profile
   * recorded by `recordProfile()` below (for example `{ profile: file }`).
   */
  profile: () => ({
    skip: 'asyncify() has no profile option yet (issue 13): the hook is VARIANTS.profile in bench/real/variants.mjs',
  }),
}

/**
 * HOOK for issue 13's record mode: run `program`'s scripts once with recording on and return the profile file.
 * `run(scriptSource)` runs a script on an instance built for recording. Returns undefined while the runtime
 * cannot record (today).
 */
export async function recordProfile(_program, _run) {
  return undefined
}

export function resolveVariants(names, program) {
  const unknown = names.filter((name) => !(name in VARIANTS))
  if (unknown.length) {
    throw new Error(`Unknown variant "${unknown[0]}": choose from ${Object.keys(VARIANTS).join(', ')}`)
  }
  const all = ['default', ...names.filter((name) => name !== 'default')]
  return all.map((name) => ({ name, ...VARIANTS[name](program) }))
}
