// bench/RESULTS.md is shared: `bench/run.mjs` writes its part, `bench/real.mjs` one section per label. A section
// lives between two HTML comments that carry its title, so each writer replaces only its own part.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const start = (title) => `<!-- section: ${title} -->`
const end = (title) => `<!-- end of section: ${title} -->`
const SECTION = /<!-- section: (.+?) -->\n[\s\S]*?<!-- end of section: \1 -->\n/g

/** Writes `## title` + `markdown` as the section `title` of `file`: replaced in place, or appended. */
export function writeSection(file, title, markdown) {
  const block = `${start(title)}\n## ${title}\n\n${markdown.trim()}\n${end(title)}\n`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const at = text.indexOf(start(title))
  const next =
    at === -1
      ? `${text.trimEnd()}\n\n${block}`
      : text.slice(0, at) + block + text.slice(text.indexOf(end(title)) + end(title).length + 1)
  writeFileSync(file, next)
}

/** Every section of `file`, verbatim, so a writer that regenerates the rest of the file can keep them. */
export function sections(file) {
  if (!existsSync(file)) return ''
  return [...readFileSync(file, 'utf8').matchAll(SECTION)].map((m) => m[0]).join('\n')
}
