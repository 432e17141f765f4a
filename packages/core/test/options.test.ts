import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncifyError, type AsyncifyOptions, resolveOptions, WASI_ASYNC_IMPORTS } from '../src/index.ts'

let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'asyncify-options-'))
  await writeFile(
    join(root, 'imports.txt'),
    '# async imports\n env.sleep \r\n\nenv.fetch_*, wasi.poll\n#env.ignored\n',
  )
  await writeFile(join(root, 'functions.txt'), 'foo(int, char)\nbar\n')
})

async function code(options: unknown, context = { root }): Promise<string> {
  try {
    await resolveOptions(options as AsyncifyOptions, context)
  } catch (error) {
    expect(error).toBeInstanceOf(AsyncifyError)
    return `${(error as AsyncifyError).code}: ${(error as Error).message}`
  }
  throw new Error('expected resolveOptions to fail')
}

describe('resolveOptions defaults', () => {
  it('production', async () => {
    expect(await resolveOptions({}, { root })).toEqual({
      asyncImports: undefined,
      ignoreIndirect: false,
      addList: [],
      removeList: [],
      onlyList: [],
      propagateAddList: false,
      asserts: false,
      optimizeLevel: 2,
      shrinkLevel: 0,
      stackSize: 1048576,
      maxPausedCalls: 256,
      keepNames: false,
      jspi: 'auto',
      cacheDir: join(root, 'node_modules/.cache/unplugin-asyncify'),
      profile: 'auto',
      profileFile: undefined,
    })
  })

  it('development turns asserts on and optimizes less', async () => {
    const resolved = await resolveOptions(undefined, { root, mode: 'development' })
    expect(resolved.asserts).toBe(true)
    expect(resolved.optimizeLevel).toBe(1)
    expect(resolved.keepNames).toBe(true)
    expect((await resolveOptions({ asserts: false }, { root, mode: 'development' })).asserts).toBe(false)
  })

  it('cacheDir is resolved from the root, or disabled', async () => {
    expect((await resolveOptions({ cacheDir: '.cache/x' }, { root })).cacheDir).toBe(join(root, '.cache/x'))
    expect((await resolveOptions({ cacheDir: false }, { root })).cacheDir).toBe(false)
  })
})

describe('lists', () => {
  it('trims, drops empty entries and deduplicates arrays', async () => {
    const resolved = await resolveOptions(
      { asyncImports: [' env.sleep', 'env.sleep ', '', 'env.*'] },
      { root },
    )
    expect(resolved.asyncImports).toEqual(['env.sleep', 'env.*', ...WASI_ASYNC_IMPORTS])
  })

  it('reads list files relative to the root: newline or comma separated, comments dropped, CRLF ok', async () => {
    const resolved = await resolveOptions({ asyncImports: 'imports.txt' }, { root })
    expect(resolved.asyncImports).toEqual(['env.sleep', 'env.fetch_*', 'wasi.poll', ...WASI_ASYNC_IMPORTS])
  })

  it('keeps commas inside brackets (C++ signatures) in function list files', async () => {
    const resolved = await resolveOptions({ removeList: 'functions.txt' }, { root })
    expect(resolved.removeList).toEqual(['foo(int, char)', 'bar'])
  })

  it('an empty asyncImports list is kept (only the WASI imports that wait pause), unlike leaving it unset', async () => {
    expect((await resolveOptions({ asyncImports: [] }, { root })).asyncImports).toEqual([
      ...WASI_ASYNC_IMPORTS,
    ])
  })

  it('adds the WASI imports that wait (stdin, sleep) to every list, once', async () => {
    expect(WASI_ASYNC_IMPORTS).toEqual([
      'wasi_snapshot_preview1.fd_read',
      'wasi_snapshot_preview1.poll_oneoff',
    ])
    const resolved = await resolveOptions(
      { asyncImports: ['wasi_snapshot_preview1.poll_oneoff', 'env.sleep'] },
      { root },
    )
    expect(resolved.asyncImports).toEqual([
      'wasi_snapshot_preview1.poll_oneoff',
      'env.sleep',
      'wasi_snapshot_preview1.fd_read',
    ])
  })

  it.each([
    [['env. sleep'], /contains whitespace/],
    [['env sleep'], /contains whitespace/],
    [['sleep'], /not of the form module\.name/],
    [['.sleep'], /not of the form module\.name/],
    [['env.'], /not of the form module\.name/],
  ])('rejects asyncImports entry %j', async (asyncImports, message) => {
    const result = await code({ asyncImports })
    expect(result).toMatch(/^ASYNCIFY_INVALID_OPTION/)
    expect(result).toMatch(message)
    expect(result).toMatch(/e\.g\. "env\.sleep"/)
  })

  it('accepts wildcard entries', async () => {
    const resolved = await resolveOptions({ asyncImports: ['*', 'env.*', '*.sleep'] }, { root })
    expect(resolved.asyncImports).toEqual(['*', 'env.*', '*.sleep', ...WASI_ASYNC_IMPORTS])
  })

  it('rejects onlyList with addList/removeList, and a name in both add and remove lists', async () => {
    expect(await code({ onlyList: ['a'], addList: ['b'] })).toMatch(/onlyList cannot be combined/)
    expect(await code({ addList: ['a'], removeList: ['a'] })).toMatch(/"a" is in both addList and removeList/)
  })

  it('a missing list file is ASYNCIFY_LIST_FILE', async () => {
    expect(await code({ addList: 'nope.txt' })).toMatch(/^ASYNCIFY_LIST_FILE: .*"nope\.txt" \(ENOENT\)/)
  })
})

describe('validation', () => {
  it.each([
    [{ optimizeLevel: 5 }, /"optimizeLevel" must be an integer from 0 to 4, got 5/],
    [{ optimizeLevel: 1.5 }, /"optimizeLevel" must be an integer/],
    [{ shrinkLevel: 3 }, /"shrinkLevel" must be an integer from 0 to 2/],
    [{ stackSize: 512 }, /"stackSize" must be an integer >= 1024 and a multiple of 8, got 512/],
    [{ stackSize: 4100 }, /multiple of 8/],
    [{ stackSize: '65536' }, /"stackSize"/],
    [{ jspi: 'maybe' }, /"jspi" must be one of "auto", "off", "only", got "maybe"/],
    [{ ignoreIndirect: 'yes' }, /"ignoreIndirect" must be true or false/],
    [{ cacheDir: '' }, /"cacheDir" must be a directory path or false/],
    [{ asyncImports: 42 }, /must be an array of names or a list file path/],
  ])('%j', async (options, message) => {
    const result = await code(options)
    expect(result).toMatch(/^ASYNCIFY_INVALID_OPTION: Failed to asyncify/)
    expect(result).toMatch(message)
  })

  it('unknown keys suggest the closest valid key', async () => {
    expect(await code({ ignoreIndirects: true })).toMatch(
      /^ASYNCIFY_UNKNOWN_OPTION: .*unknown option "ignoreIndirects". Did you mean "ignoreIndirect"\?/,
    )
    expect(await code({ stacksize: 1 })).toMatch(/Did you mean "stackSize"\?/)
    expect(await code({ zzzzzzzzzzzzzzzzzz: 1 })).toMatch(/Valid options: asyncImports, /)
  })

  it('names the file in messages when given', async () => {
    const result = await code({ jspi: 'x' }, {
      root,
      filename: join(root, 'src/game.wasm?asyncify'),
    } as never)
    expect(result).toMatch(/Failed to asyncify "src\/game\.wasm":/)
  })
})
