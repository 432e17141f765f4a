// The plugin config's `wasi.optionsModule`: what JSON cannot hold, for the named exports' instance. stdin
// hands out lines slowly; stdout and stderr are recorded for the page's checks.
export const LINES = Array.from({ length: 30 }, (_, i) => `line ${i}`)
export const output = { stdout: [], stderr: [] }

let next = 0
export default {
  stdin: () =>
    new Promise((resolve) =>
      setTimeout(() => resolve(next < LINES.length ? LINES[next++] : null), next % 5 ? 1 : 20),
    ),
  stdout: (line) => output.stdout.push(line),
  stderr: (line) => output.stderr.push(line),
}
