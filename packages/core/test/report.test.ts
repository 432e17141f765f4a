import { describe, expect, it } from 'vitest'
import { type BuildReport, formatReport } from '../src/index.ts'

const report: BuildReport = {
  file: 'game.wasm',
  inputBytes: 53_000,
  outputBytes: 61_200,
  instrumented: 12,
  totalFunctions: 87,
  timeMs: 1234,
  cache: 'miss',
  warnings: [],
}

describe('formatReport', () => {
  it('one line with sizes, counts, time and cache state', () => {
    expect(formatReport(report)).toBe(
      'game.wasm 53.0 kB -> 61.2 kB, 12/87 functions instrumented, 1.2 s (cache miss)',
    )
  })

  it('shows the JSPI size, small sizes and short times', () => {
    expect(formatReport({ ...report, inputBytes: 840, jspiBytes: 52_100, timeMs: 12.4, cache: 'hit' })).toBe(
      'game.wasm 840 B -> 61.2 kB (JSPI 52.1 kB), 12/87 functions instrumented, 12 ms (cache hit)',
    )
    expect(formatReport({ ...report, file: undefined, outputBytes: 2_500_000, cache: 'off' })).toBe(
      'wasm 53.0 kB -> 2.50 MB, 12/87 functions instrumented, 1.2 s (cache off)',
    )
  })

  it('leaves WASI imports out of the suggestion: the ones that wait are always added', () => {
    const wasi = ['wasi_snapshot_preview1.fd_read', 'wasi_snapshot_preview1.fd_write']
    expect(formatReport({ ...report, suggestedAsyncImports: wasi }).split('\n')[1]).toBe(
      '  hint: every import may pause, which instruments more code than needed; set asyncImports: [] (the WASI imports that wait, stdin and sleep, are always included)',
    )
    expect(formatReport({ ...report, suggestedAsyncImports: [...wasi, 'env.sleep'] })).toMatch(
      /from \["env\.sleep"\]$/,
    )
  })

  it('adds a suggestion line when every import may pause', () => {
    const lines = formatReport({ ...report, suggestedAsyncImports: ['env.sleep', 'env.log'] }).split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toBe(
      '  hint: every import may pause, which instruments more code than needed; set asyncImports to the ones that really do, from ["env.sleep", "env.log"]',
    )
    const many = Array.from({ length: 9 }, (_, i) => `env.f${i}`)
    expect(formatReport({ ...report, suggestedAsyncImports: many })).toMatch(
      /"env\.f5", \.\.\. \(3 more\)\]$/,
    )
    expect(formatReport({ ...report, suggestedAsyncImports: [] }).split('\n')).toHaveLength(1)
  })
})
