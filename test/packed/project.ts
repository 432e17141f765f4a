// A throwaway npm project outside the monorepo, with the PACKED packages installed by `npm install` (no workspace
// links, no hoisted monorepo node_modules to fall back on): what a user gets from the registry.
import { execFile } from 'node:child_process'
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { inject } from 'vitest'
import { PROJECTS_DIR } from './paths.ts'

export { PROJECTS_DIR }

/**
 * One plugin cache for the fixture builds of every project (their build scripts read ASYNCIFY_CACHE_DIR): the
 * transform does not depend on the bundler version, so it runs once instead of once per project.
 */
export const SHARED_CACHE: { ASYNCIFY_CACHE_DIR: string } = {
  ASYNCIFY_CACHE_DIR: join(PROJECTS_DIR, '.cache'),
}

export interface ProjectSpec {
  /** Folder name under PROJECTS_DIR. */
  name: string
  /** Registry packages besides ours, e.g. `{ vite: '5.4.21' }`. */
  dependencies?: Record<string, string>
  /** Files to write, relative to the project root. */
  files?: Record<string, string>
  /** Folders to copy in: project-relative target -> absolute source. */
  copy?: Record<string, string>
  /** Install only our packages when false (default true). */
  plugin?: boolean
  /**
   * Start from a project a real generator made instead of an empty package.json: `create-vite` at this version
   * and template. Its package.json is kept and ours is merged in.
   */
  createVite?: { version: string; template: string }
}

export interface Project {
  dir: string
  /** Run a command in the project; rejects with its output when it exits non-zero. */
  run(
    command: string,
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ stdout: string; stderr: string }>
}

export interface Failure {
  code: number
  stdout: string
  stderr: string
}

/**
 * Create the project and `npm install` it. Our packages come from the tarballs; their dependencies on each other
 * are pointed at the tarballs too with `overrides` (they are not on the registry).
 */
export async function createProject(spec: ProjectSpec): Promise<Project> {
  const tarballs = inject('tarballs')
  const dir = join(PROJECTS_DIR, spec.name)
  await rm(dir, { recursive: true, force: true })
  await mkdir(PROJECTS_DIR, { recursive: true })
  let base: Record<string, any> = { name: spec.name, private: true, type: 'module' }
  if (spec.createVite) {
    const { version, template } = spec.createVite
    await run(PROJECTS_DIR, 'npx', [
      '-y',
      `create-vite@${version}`,
      spec.name,
      '--template',
      template,
      '--no-interactive',
      '--no-immediate',
    ])
    base = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
  } else {
    await mkdir(dir, { recursive: true })
  }
  const file = (name: string) => `file:${tarballs[name]}`
  const pkg = {
    ...base,
    devDependencies: {
      ...base.devDependencies,
      ...(spec.plugin === false ? {} : { 'unplugin-asyncify': file('unplugin-asyncify') }),
      ...spec.dependencies,
    },
    overrides: {
      '@unplugin-asyncify/core': file('@unplugin-asyncify/core'),
      '@unplugin-asyncify/runtime': file('@unplugin-asyncify/runtime'),
      '@unplugin-asyncify/wasi': file('@unplugin-asyncify/wasi'),
    },
  }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
  for (const [path, text] of Object.entries(spec.files ?? {})) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  for (const [target, source] of Object.entries(spec.copy ?? {})) {
    await cp(source, join(dir, target), { recursive: true })
  }
  const project: Project = { dir, run: (command, args, env) => run(dir, command, args, env) }
  // --prefer-offline: versions already in npm's cache are not looked up again.
  await project.run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'])
  return project
}

async function run(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(command, args, {
      cwd,
      encoding: 'utf8',
      env: { ...cleanEnv(), ...env },
      maxBuffer: 64 << 20,
      timeout: 240_000,
    })
  } catch (error) {
    const failed = error as Failure & { message: string }
    throw Object.assign(
      new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout}\n${failed.stderr}`),
      { code: failed.code, stdout: failed.stdout, stderr: failed.stderr },
    )
  }
}

/**
 * The environment without what the monorepo's pnpm and vitest set (npm_config_*, NODE_OPTIONS, VITEST*), so npm
 * and the bundlers in the project behave as in a user's shell.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|VITEST|NODE_OPTIONS$|NODE_ENV$|TEST$)/i.test(key)) continue
    env[key] = value
  }
  return env
}

/** Expect a command to fail; resolves to its exit code and output. */
export async function failure(pending: Promise<unknown>): Promise<Failure> {
  try {
    await pending
  } catch (error) {
    return error as Failure
  }
  throw new Error('expected the command to fail')
}

/** The fixture app's files a packed project copies (src/main.js and what it imports), project path -> source. */
export function fixtureAppFiles(fixtureApp: string, wasmFixtures: string): Record<string, string> {
  return {
    'src/main.js': join(fixtureApp, 'src/main.js'),
    'src/wasm-env.js': join(fixtureApp, 'src/wasm-env.js'),
    'src/compute.wasm': join(wasmFixtures, 'compute.wasm'),
    'src/calls-wasm-opt.wasm': join(wasmFixtures, 'calls-wasm-opt.wasm'),
  }
}
