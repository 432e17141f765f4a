import { describe, expect, it } from 'vitest'
import { AsyncifyError, type AsyncifyErrorCode, asyncify } from '../src/index.ts'
import { fixture, fixturePath, REPO_ROOT } from './helpers/fixtures.ts'
import { watToWasm } from './helpers/wat.ts'

const context = (name: string) => ({ root: REPO_ROOT, filename: fixturePath(name) })

async function failure(promise: Promise<unknown>): Promise<AsyncifyError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AsyncifyError)
    return error as AsyncifyError
  }
  throw new Error('expected the call to fail')
}

/** The shape every message has: file, cause, fix; and no stack trace or Binaryen internals in it. */
function expectMessage(
  error: AsyncifyError,
  code: AsyncifyErrorCode,
  file: string,
  cause: RegExp,
  fix: RegExp,
) {
  expect(error.code).toBe(code)
  expect(error.message).toMatch(new RegExp(`^Failed to asyncify "${file.replace(/[.]/g, '\\.')}": `))
  expect(error.message).toMatch(cause)
  expect(error.message).toMatch(fix)
  expect(error.message).not.toMatch(/\n|at .*\.js:\d+/)
  expect(error.file).toBe(file)
}

describe('input errors', () => {
  it.each([
    ['not-wasm.wasm', 'ASYNCIFY_NOT_WASM', /not a WebAssembly binary/, /Import a \.wasm binary/],
    ['truncated.wasm', 'ASYNCIFY_INVALID_WASM', /truncated/, /Rebuild the \.wasm/],
    [
      'already-asyncified.wasm',
      'ASYNCIFY_ALREADY_ASYNCIFIED',
      /already asyncified .*asyncify_start_unwind/,
      /original \.wasm/,
    ],
    ['return-call.wasm', 'ASYNCIFY_TAIL_CALL', /function "tail" .*tail call/, /-mno-tail-call/],
    ['call-ref.wasm', 'ASYNCIFY_CALL_REF', /function "via_ref" .*call_ref/, /table/],
    ['try-table.wasm', 'ASYNCIFY_TRY_TABLE', /function "guarded" .*try_table/, /legacy exception handling/],
    [
      'pause-in-catch.wasm',
      'ASYNCIFY_PAUSE_IN_CATCH',
      /function "recover" \(exported, unnamed\) may pause inside a catch block \(it calls "sleep" there\)/,
      /Move the call out of the catch block.*jspi: 'only'/,
    ],
    ['ref-locals.wasm', 'ASYNCIFY_REFERENCE_LOCALS', /function "hold" .*reference-typed/, /removeList/],
    [
      'two-memories.wasm',
      'ASYNCIFY_MULTIPLE_MEMORIES',
      /2 memories and none is exported as "memory"/,
      /Export the memory/,
    ],
  ] as const)('%s -> %s', async (name, code, cause, fix) => {
    const error = await failure(
      asyncify(fixture(name), { cacheDir: false, asyncImports: ['env.sleep'] }, context(name)),
    )
    expectMessage(error, code, `test/fixtures/wasm/${name}`, cause, fix)
  })

  it('a pause inside a catch block is fine when only the try body pauses, and under jspi only', async () => {
    const safe = await asyncify(fixture('pause-in-catch.wasm'), {
      cacheDir: false,
      asyncImports: ['env.sleep'],
      jspi: 'only',
    })
    expect(safe.meta.jspi).toBe('only')
    // without the handler's sleep being async, nothing can pause in a catch block
    const plain = await asyncify(fixture('pause-in-catch.wasm'), {
      cacheDir: false,
      asyncImports: ['env.boom'],
    })
    expect(plain.meta.exports.find((e) => e.name === 'safe')?.suspending).toBe(false)
  })

  it('a module that decodes but does not validate -> ASYNCIFY_INVALID_WASM', async () => {
    // (func (result i32) i32.add) with an empty stack.
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 10, 5, 1, 3, 0, 106, 11,
    ])
    const error = await failure(
      asyncify(bytes, { cacheDir: false }, { root: REPO_ROOT, filename: 'bad.wasm' }),
    )
    expectMessage(error, 'ASYNCIFY_INVALID_WASM', 'bad.wasm', /cannot be read|does not validate/, /Rebuild/)
  })

  it('lists on a module without a name section -> ASYNCIFY_NO_NAME_SECTION', async () => {
    const name = 'compute-stripped.wasm'
    const error = await failure(
      asyncify(fixture(name), { cacheDir: false, addList: ['apply'] }, context(name)),
    )
    expectMessage(
      error,
      'ASYNCIFY_NO_NAME_SECTION',
      `test/fixtures/wasm/${name}`,
      /addList .*no name section/,
      /names/,
    )
  })

  it('asyncify.get_state and other unknown asyncify imports -> ASYNCIFY_UNKNOWN_ASYNCIFY_IMPORT', async () => {
    const wasm = await watToWasm(`(module
      (import "asyncify" "get_state" (func $get_state (result i32)))
      (func (export "state") (result i32) (call $get_state)))`)
    const error = await failure(asyncify(wasm, { cacheDir: false }, { filename: 'state.wasm' }))
    expectMessage(
      error,
      'ASYNCIFY_UNKNOWN_ASYNCIFY_IMPORT',
      'state.wasm',
      /asyncify\.get_state/,
      /Import only/,
    )
  })

  it('a Binaryen fatal in the pass -> ASYNCIFY_BINARYEN_FAILED with its message', async () => {
    const wasm = await watToWasm(`(module
      (import "env" "sleep" (func $sleep (param i32) (result i32)))
      (func $a (export "a") (result i32) (call $sleep (i32.const 1))))`)
    // An imported function in a function list is Fatal in Binaryen.
    const error = await failure(
      asyncify(wasm, { cacheDir: false, addList: ['sleep'] }, { filename: 'a.wasm' }),
    )
    expectMessage(error, 'ASYNCIFY_BINARYEN_FAILED', 'a.wasm', /the Asyncify pass failed: .+/, /addList/)
  })

  it('without a filename the message still has the shape', async () => {
    const error = await failure(asyncify(new TextEncoder().encode('hello'), { cacheDir: false }))
    expect(error.message).toMatch(/^Failed to asyncify "<bytes>": it is not a WebAssembly binary/)
  })
})

describe('option errors', () => {
  it('unknown keys name the key and suggest the closest valid one', async () => {
    const error = await failure(
      asyncify(fixture('no-memory.wasm'), { asyncImport: ['env.sleep'] } as never, context('x.wasm')),
    )
    expectMessage(
      error,
      'ASYNCIFY_UNKNOWN_OPTION',
      'test/fixtures/wasm/x.wasm',
      /unknown option "asyncImport"/,
      /Did you mean "asyncImports"\?/,
    )
  })

  it('a list file that does not exist', async () => {
    const error = await failure(
      asyncify(fixture('no-memory.wasm'), { asyncImports: 'env.sleep' }, context('x.wasm')),
    )
    expect(error.code).toBe('ASYNCIFY_LIST_FILE')
    expect(error.message).toMatch(/cannot read the asyncImports list file "env\.sleep" \(ENOENT\)/)
    expect(error.message).toMatch(/asyncImports: \["env\.sleep"\]/)
  })
})
