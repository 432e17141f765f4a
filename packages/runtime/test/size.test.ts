// The runtime ships to browsers: keep it small, dependency-free and self-contained.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildRuntime } from './helpers/build-runtime.ts'
import { RUNTIME_DIR, testRequire } from './helpers/env.ts'

/** Budget for dist/index.mjs minified + gzipped (docs/runtime.md, "Size"). */
const BUDGET_GZIP_BYTES = 9 * 1024

describe('size', () => {
  it(`dist/index.mjs stays under ${BUDGET_GZIP_BYTES} bytes minified + gzipped, with no imports`, async () => {
    const { code } = buildRuntime()
    const esbuild = testRequire('esbuild') as {
      transform(code: string, options: object): Promise<{ code: string }>
    }
    const minified = (await esbuild.transform(code, { minify: true, format: 'esm', target: 'es2022' })).code
    const gzip = gzipSync(minified, { level: 9 }).length
    console.log(
      `[runtime size] dist/index.mjs: ${code.length} B, minified ${minified.length} B, gzip ${gzip} B`,
    )
    expect(gzip).toBeLessThan(BUDGET_GZIP_BYTES)
    // zero dependencies: nothing imported, node: builtins included
    expect(code).not.toMatch(/^\s*import\s/m)
    expect(code).not.toMatch(/\bimport\(/)
    expect(code).not.toMatch(/\brequire\(/)
    const pkg = JSON.parse(readFileSync(join(RUNTIME_DIR, 'package.json'), 'utf8'))
    expect(pkg.dependencies ?? {}).toEqual({})
  })
})
