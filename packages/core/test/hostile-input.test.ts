/**
 * Unusual and hostile wasm files through the public `asyncify()`: counts that do not fit the file fail in the
 * byte-level pre-check (no worker ever sees them), malformed custom sections that engines ignore are dropped with
 * a warning, and names Binaryen's C API would cut at a NUL arrive whole in the meta.
 */

import { describe, expect, it } from 'vitest'
import {
  customSection,
  encodeModule,
  I32,
  name,
  section,
  sleb,
  u32,
  vector,
} from '../../../test/fuzz/wasm-writer.ts'
import { poolStats } from '../src/binaryen/pool.ts'
import { asyncify } from '../src/index.ts'
import { readSections } from '../src/wasm-sections.ts'
import { fixture } from './helpers/fixtures.ts'

const options = { cacheDir: false as const, jspi: 'off' as const }
const HUGE = 0x0fffffff

/** `bytes` with section `id`'s body replaced (its size re-encoded). */
function replaceSection(
  bytes: Uint8Array,
  id: number,
  body: (old: number[]) => number[],
): Uint8Array<ArrayBuffer> {
  return replaceSectionsWith(bytes, (sectionId, old) =>
    section(sectionId, sectionId === id ? body(old) : old),
  )
}

/** `bytes` with `extra` (whole sections) inserted before the first section with id `beforeId`. */
function insertBefore(bytes: Uint8Array, beforeId: number, extra: number[]): Uint8Array<ArrayBuffer> {
  let inserted = false
  return replaceSectionsWith(bytes, (id, body) => {
    const own = section(id, body)
    if (inserted || id !== beforeId) return own
    inserted = true
    return [...extra, ...own]
  })
}

function replaceSectionsWith(
  bytes: Uint8Array,
  map: (id: number, body: number[]) => number[],
): Uint8Array<ArrayBuffer> {
  const out: number[] = [...bytes.subarray(0, 8)]
  let offset = 8
  while (offset < bytes.length) {
    const id = bytes[offset]!
    let size = 0
    let shift = 0
    let at = offset + 1
    for (;;) {
      const byte = bytes[at++]!
      size += (byte & 0x7f) * 2 ** shift
      shift += 7
      if ((byte & 0x80) === 0) break
    }
    out.push(...map(id, [...bytes.subarray(at, at + size)]))
    offset = at + size
  }
  return new Uint8Array(out)
}

/** One function `() -> i32` returning 7, exported as `run`, plus whatever `extra` adds. */
function tiny(extra: Parameters<typeof encodeModule>[0] = {}): Uint8Array {
  return encodeModule({
    types: [{ params: [], results: [I32] }],
    functions: [{ type: 0, body: [0x41, 7] }],
    memories: [{ min: 1 }],
    exports: [
      { name: 'run', kind: 'function', index: 0 },
      { name: 'memory', kind: 'memory', index: 0 },
    ],
    ...extra,
  })
}

describe('counts that cannot fit the file', () => {
  // Each declares far more entries than its bytes could hold; Binaryen would allocate for all of them first.
  const cases: [string, Uint8Array<ArrayBuffer>, RegExp][] = [
    [
      'loop.wasm with 268 million data segments (the 843-byte file that took ~100 s and ~4 GB)',
      replaceSection(fixture('loop.wasm'), 11, (old) => [0xff, 0xff, 0xff, 0x7f, ...old.slice(1)]),
      /data section .*268435455 data segments declared at byte \d+, but only \d+ bytes remain/,
    ],
    [
      'a data count section claiming 268 million segments',
      insertBefore(tiny(), 10, section(12, u32(HUGE))),
      /268435455 data segments declared, engines accept 100000/,
    ],
    [
      'a data count section that disagrees with the data section',
      insertBefore(tiny({ datas: [{ offset: 0, bytes: [1] }] }), 10, section(12, u32(3))),
      /the data count section says 3 segments, the data section has 1/,
    ],
    [
      'a function with 268 million locals',
      replaceSection(tiny(), 10, () => vector([[...u32(6), ...u32(1), ...u32(HUGE), I32, 0x41, 7, 0x0b]])),
      /268435455\+ locals, engines accept 50000/,
    ],
    [
      'an import section claiming 268 million imports',
      replaceSection(
        tiny({ imports: [{ module: 'env', name: 'f', kind: 'function', type: 0 }] }),
        2,
        (old) => [...u32(HUGE), ...old.slice(1)],
      ),
      /import section .*268435455 imports declared/,
    ],
    [
      'a type with 268 million parameters',
      replaceSection(tiny(), 1, () => vector([[0x60, ...u32(HUGE), I32, 1, I32]])),
      /type section .*268435455 parameters declared/,
    ],
    [
      'an export name longer than the file',
      replaceSection(tiny(), 7, () => vector([[...u32(HUGE), 0x61, 0, 0]])),
      /export section .*runs past its section/,
    ],
  ]

  it.each(cases)('%s: ASYNCIFY_INVALID_WASM from the pre-check, no worker job', async (_, bytes, detail) => {
    expect(WebAssembly.validate(bytes)).toBe(false)
    const before = poolStats().jobs
    const failure = await asyncify(bytes, options, { filename: 'hostile.wasm' }).catch((error) => error)
    expect(failure).toMatchObject({
      code: 'ASYNCIFY_INVALID_WASM',
      message: expect.stringMatching(/^Failed to asyncify "hostile\.wasm": .*\. Rebuild the \.wasm/),
    })
    expect(failure.message).toMatch(detail)
    expect(poolStats().jobs).toBe(before)
  })

  it('encodings of newer proposals are left to Binaryen, not refused', () => {
    const types = (entries: number[][]) =>
      replaceSection(tiny(), 1, () => vector([[0x60, 0, 1, I32], ...entries]))
    // a struct with an exact and a shared reference field; a continuation type; an unknown type form
    const newer = [
      [0x4e, 1, 0x5f, 2, 0x63, 0x62, 0x00, 0x00, 0x64, 0x65, 0x6e, 0x01],
      [0x5d, 0x00],
      [0x4d, 0x00, 0x60, 0, 0],
    ]
    for (const entry of newer)
      expect(readSections(types([entry]))).toMatchObject({ brokenCustomSections: [] })
    // Exact and shared references are read through, so the types after them are still checked.
    const exactThenHuge = types([
      [0x5f, 1, 0x63, 0x62, 0x00, 0x00],
      [0x60, ...u32(HUGE), I32, 0],
    ])
    expect(readSections(exactThenHuge)).toMatchObject({
      detail: expect.stringMatching(/268435455 parameters/),
    })
  })

  it('every fixture that engines accept passes the pre-check unchanged', () => {
    for (const file of [
      'compute.wasm',
      'loop.wasm',
      'multi-value.wasm',
      'ref-locals.wasm',
      'grows-memory.wasm',
    ]) {
      const facts = readSections(fixture(file))
      expect(facts).toMatchObject({ brokenCustomSections: [] })
    }
  })
})

describe('malformed custom sections that engines ignore', () => {
  const base = fixture('pure-compute.wasm')
  const cases: [string, number[]][] = [
    ['name', customSection('name', [1, 3, 1, 0, 5])],
    ['name', customSection('name', [0, 2, ...name('m'), 7])],
    ['name', customSection('name', [1, 5, 1, 0, 2, 0xff, 0xfe])],
    ['target_features', customSection('target_features', [1, 0x3d, ...name('simd128')])],
    ['target_features', customSection('target_features', [5, 0x2b])],
    ['dylink.0', customSection('dylink.0', [1, 5, 0, 0, 0, 0, 5])],
    ['dylink', customSection('dylink', [0, 0, 0, 0, 0, 1])],
  ]

  it.each(cases)(
    'a broken %s section is dropped with a warning; the module is transformed',
    async (section, extra) => {
      const bytes = new Uint8Array([...base, ...extra])
      expect(WebAssembly.validate(bytes)).toBe(true)
      const result = await asyncify(bytes, options, { filename: 'custom.wasm' })
      expect(result.report.warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`^dropped the malformed "${section}" custom section \\(.+\\): engines ignore it`),
        ),
      )
      expect(WebAssembly.validate(result.wasm)).toBe(true)
      expect(result.meta.exports.map((entry) => entry.name)).toEqual(['memory', 'fib'])
    },
  )

  it('a well-formed name section still lets lists match, a dropped one does not', async () => {
    const broken = new Uint8Array([
      ...fixture('compute-stripped.wasm'),
      ...customSection('name', [1, 3, 1, 0, 5]),
    ])
    await expect(asyncify(broken, { ...options, removeList: ['fib'] })).rejects.toMatchObject({
      code: 'ASYNCIFY_NO_NAME_SECTION',
    })
  })
})

describe('names with NUL', () => {
  it('arrive whole in the meta, matching the binary the runtime loads', async () => {
    const names = ['run\0a', 'run\0b', 'run', '\0']
    const bytes = encodeModule({
      types: [{ params: [], results: [I32] }],
      imports: [{ module: 'e\0nv', name: 'sl\0eep', kind: 'function', type: 0 }],
      functions: names.map((_, i) => ({ type: 0, body: [0x10, 0, 0x41, ...sleb(i), 0x6a] })),
      memories: [{ min: 1 }],
      exports: [
        ...names.map((exportName, i) => ({ name: exportName, kind: 'function' as const, index: i + 1 })),
        { name: 'mem\0ory', kind: 'memory', index: 0 },
      ],
    })
    expect(WebAssembly.validate(bytes)).toBe(true)
    const result = await asyncify(bytes, options)
    const binary = WebAssembly.Module.exports(new WebAssembly.Module(result.wasm)).map((entry) => entry.name)
    const functions = result.meta.exports
      .filter((entry) => entry.kind === 'function')
      .map((entry) => entry.name)
    expect(functions).toEqual(names)
    for (const exportName of functions) expect(binary).toContain(exportName)
    expect(result.meta.memory.exportName).toBe('mem\0ory')
    expect(result.meta.imports.map((entry) => [entry.module, entry.name])).toEqual([['e\0nv', 'sl\0eep']])
  })
})
