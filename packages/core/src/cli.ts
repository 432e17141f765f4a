#!/usr/bin/env node
/**
 * `wasm-asyncify`: the core API on the command line. Prints the build report (or JSON with the meta);
 * on failure prints one line and writes nothing (outputs go to a temp file renamed after success).
 */

import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { asyncify } from './asyncify.ts'
import { closePool } from './binaryen/pool.ts'
import { AsyncifyError, asyncifyError } from './errors.ts'
import type { AsyncifyOptions } from './options.ts'
import { formatReport } from './report.ts'
import { toolVersions } from './versions.ts'

const USAGE = `Usage: wasm-asyncify <in.wasm> -o <out.wasm> [options]

  -o, --output <file>        where to write the asyncified module (required)
      --imports <list>       imports that may pause, e.g. env.sleep,wasi.* (default: every import)
      --ignore-indirect      assume no pause goes through a function pointer
      --add-list <list>      also instrument these functions
      --remove-list <list>   never instrument these functions
      --only-list <list>     instrument exactly these functions
      --propagate-add-list   also instrument callers of --add-list functions
  -O0 .. -O4                 Binaryen optimize level (default 2)
      --shrink <0-2>         Binaryen shrink level (default 0)
      --stack-size <bytes>   unwind buffer size recorded in the meta (default 1048576)
      --asserts              trap when uninstrumented code changes the Asyncify state
      --profile <file|off>   instrument only what this recorded profile holds (default: <in>.asyncify-profile.json
                             next to the input when it exists; off: never)
      --jspi <auto|off|only> auto also writes <out>.jspi.wasm (default off)
      --cache-dir <dir>      reuse results from this cache directory (default: no cache)
      --json                 print the report and meta as JSON
  -v, --version              print the version
  -h, --help                 show this help

A <list> is comma-separated, or @file with one name per line.`

const PREFIX = '[unplugin-asyncify]'

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      imports: { type: 'string' },
      'ignore-indirect': { type: 'boolean' },
      'add-list': { type: 'string' },
      'remove-list': { type: 'string' },
      'only-list': { type: 'string' },
      'propagate-add-list': { type: 'boolean' },
      optimize: { type: 'string', short: 'O' },
      shrink: { type: 'string' },
      'stack-size': { type: 'string' },
      asserts: { type: 'boolean' },
      profile: { type: 'string' },
      jspi: { type: 'string' },
      'cache-dir': { type: 'string' },
      json: { type: 'boolean' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (values.version) {
    const { core, binaryen } = toolVersions()
    process.stdout.write(`wasm-asyncify ${core} (binaryen ${binaryen})\n`)
    return 0
  }
  if (positionals.length !== 1) throw new UsageError('expected exactly one input file')
  if (!values.output) throw new UsageError('missing -o <out.wasm>')
  const input = positionals[0]!
  const output = resolve(values.output)
  await checkOutput(input, output)

  const options: AsyncifyOptions = { jspi: 'off', cacheDir: values['cache-dir'] ?? false }
  const list = (value: string | undefined) =>
    value === undefined ? undefined : value.startsWith('@') ? value.slice(1) : value.split(',')
  if (values.imports !== undefined) options.asyncImports = list(values.imports)!
  if (values['add-list'] !== undefined) options.addList = list(values['add-list'])!
  if (values['remove-list'] !== undefined) options.removeList = list(values['remove-list'])!
  if (values['only-list'] !== undefined) options.onlyList = list(values['only-list'])!
  if (values['ignore-indirect']) options.ignoreIndirect = true
  if (values['propagate-add-list']) options.propagateAddList = true
  if (values.asserts) options.asserts = true
  if (values.optimize !== undefined)
    options.optimizeLevel = number('-O', values.optimize) as 0 | 1 | 2 | 3 | 4
  if (values.shrink !== undefined) options.shrinkLevel = number('--shrink', values.shrink) as 0 | 1 | 2
  if (values['stack-size'] !== undefined) options.stackSize = number('--stack-size', values['stack-size'])
  if (values.jspi !== undefined) options.jspi = values.jspi as 'auto' | 'off' | 'only'
  if (values.profile === 'off') options.profile = false
  else if (values.profile !== undefined) {
    options.profile = true
    options.profileFile = values.profile
  }

  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(input))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error'
    throw asyncifyError('ASYNCIFY_READ_FAILED', input, `cannot read it (${code})`, 'Check the path')
  }
  const result = await asyncify(bytes, options, { filename: input, root: process.cwd() })

  const jspiOutput = result.jspiWasm ? output.replace(/(\.wasm)?$/, '.jspi.wasm') : undefined
  try {
    await writeAtomically(output, result.wasm)
    if (jspiOutput && result.jspiWasm) await writeAtomically(jspiOutput, result.jspiWasm)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    throw asyncifyError(
      'ASYNCIFY_WRITE_FAILED',
      input,
      `cannot write "${relative(process.cwd(), output) || output}" (${code})`,
      'Check that the folder is writable, or choose another -o',
      { cause: error },
    )
  }

  if (values.json) {
    const json = { output, jspiOutput, report: result.report, meta: result.meta }
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  } else {
    process.stdout.write(`${formatReport(result.report)}\n`)
    for (const warning of result.report.warnings) process.stderr.write(`${PREFIX} warning: ${warning}\n`)
  }
  return 0
}

/**
 * Refuse what would fail or destroy data only after the transform (which can take seconds): writing over the
 * input, or into a folder that does not exist.
 */
async function checkOutput(input: string, output: string): Promise<void> {
  const shown = relative(process.cwd(), output) || output
  const [inputStat, outputStat] = await Promise.all([statOrUndefined(input), statOrUndefined(output)])
  const sameFile =
    resolve(input) === output ||
    (inputStat && outputStat && inputStat.dev === outputStat.dev && inputStat.ino === outputStat.ino)
  if (sameFile) {
    throw asyncifyError(
      'ASYNCIFY_INVALID_OPTION',
      input,
      `-o "${shown}" is the input file, which would be overwritten`,
      'Write to another file, e.g. -o game.async.wasm',
    )
  }
  const folder = dirname(output)
  const folderStat = await statOrUndefined(folder)
  if (!folderStat?.isDirectory()) {
    const shownFolder = relative(process.cwd(), folder) || folder
    throw asyncifyError(
      'ASYNCIFY_WRITE_FAILED',
      input,
      `cannot write "${shown}": the folder "${shownFolder}" ${folderStat ? 'is not a folder' : 'does not exist'}`,
      `Create it first (mkdir -p ${JSON.stringify(shownFolder)}) or choose another -o`,
    )
  }
}

function statOrUndefined(path: string) {
  return stat(path).catch(() => undefined)
}

function number(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} expects a number, got "${value}"`)
  return Number(value)
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await writeFile(temp, bytes)
    await rename(temp, path)
  } finally {
    await rm(temp, { force: true })
  }
}

main(process.argv.slice(2))
  .then(
    (code) => code,
    (error: unknown) => {
      if (error instanceof AsyncifyError) {
        process.stderr.write(`${PREFIX} ${error.message}\n`)
      } else if (
        error instanceof UsageError ||
        (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ) {
        process.stderr.write(`${PREFIX} ${(error as Error).message}. Run wasm-asyncify --help for usage\n`)
      } else {
        process.stderr.write(
          `${PREFIX} unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
        )
      }
      return 1
    },
  )
  .then(async (code) => {
    await closePool()
    process.exitCode = code
  })
