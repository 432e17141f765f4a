import { isAbsolute, resolve } from 'node:path'
import { slash } from './paths.ts'

/** A glob (relative to the project root, or absolute) or a RegExp tested on the absolute wasm path. */
export type FilterPattern = string | RegExp | ReadonlyArray<string | RegExp>

/** `include`/`exclude` on the wasm path. Globs know `*`, `**` and `?`; no include means every file. */
export function createFileFilter(
  include: FilterPattern | undefined,
  exclude: FilterPattern | undefined,
  root: string,
): (file: string) => boolean {
  const toMatchers = (pattern: FilterPattern | undefined) =>
    (pattern === undefined ? [] : Array.isArray(pattern) ? pattern : [pattern as string | RegExp]).map(
      (item) =>
        typeof item === 'string' ? globToRegExp(slash(isAbsolute(item) ? item : resolve(root, item))) : item,
    )
  const includes = toMatchers(include)
  const excludes = toMatchers(exclude)
  return (file) => {
    const path = slash(file)
    const test = (re: RegExp) => {
      re.lastIndex = 0
      return re.test(path)
    }
    if (excludes.some(test)) return false
    return includes.length === 0 || includes.some(test)
  }
}

export function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!
    if (char === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      const slashFollows = glob[i + 2] === '/'
      source += slashFollows ? '(?:.*/)?' : '.*'
      i += slashFollows ? 2 : 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}
