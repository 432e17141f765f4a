// The real-program results as markdown: printed by bench/real.mjs and written into bench/RESULTS.md.

const x = (value) => (value === undefined || value === null ? 'n/a' : `${value}x`)
const us = (value) => (value === undefined ? undefined : `${value} us`)
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`

export function renderReal(r, label) {
  const names = Object.keys(r.programs)
  const runs = [
    ['Node 20', r.node20],
    ['Node 26', r.node26],
  ]
  // one column per program and Node version
  const columns = names.flatMap((name) =>
    runs.map(([node, run]) => ({ name, node, p: run.programs[name], run })),
  )
  const header = `| figure | ${columns.map((c) => `${r.programs[c.name].title} ${c.node}`).join(' | ')} |`
  const rule = `| --- | ${columns.map(() => '---').join(' | ')} |`
  const row = (title, cell) =>
    `| ${title} | ${columns.map((c) => cell(c.p, c.run, c.name) ?? 'n/a').join(' | ')} |`

  const variants = [...new Set(names.flatMap((n) => Object.keys(r.programs[n].builds)))]
  // a contender that failed shows why instead of a figure
  const or = (p, key, value) => (p.failures[key] ? `fails: ${p.failures[key]}` : value)
  const cpuCell = (key) => (p) => or(p, `cpu ${key}`, x(p.cpu.vsOriginal[key]))
  const pauseCell = (key, contender) => (p) => or(p, `pause ${contender}`, x(p.pause[key]))
  const depthCell = (key) => (p) => {
    const d = p.depth[key]
    if (!d) return undefined
    const share = key === 'original' ? '' : `${Math.round((d.depth / p.depth.original.depth) * 100)}%, `
    return `${d.depth} (${share}${d.stoppedBy})`
  }
  const lines = [
    `Measured ${r.machine.date} on ${r.machine.model}, ${r.machine.cores} cores (1-minute load average ${r.machine.loadAtStart.toFixed(1)} at the`,
    `start, ${r.machine.load.toFixed(1)} at the end), Node ${r.node20.node} and Node ${r.node26.node} (JSPI), by`,
    `\`node bench/real.mjs${r.quick ? ' --quick' : ''}\` in ${r.minutes} min. Builds: \`asyncify()\` at`,
    `-O${r.optimizeLevel} with \`asyncImports: ['env.sleep', 'env.read_line']\`, defaults otherwise; run through`,
    '`instantiate()`. "Original" is the program\'s .wasm as clang built it (bench/programs/), called directly.',
    'Runtime figures are medians over interleaved rounds of the ratio within each round; every run of every',
    "contender printed exactly the original module's output. See docs/benchmarks.md for each figure.",
    '',
    '### Runtime',
    '',
    header,
    rule,
    ...variants.map((v) =>
      row(
        `(a) CPU-bound script, asyncified${v === 'default' ? '' : ` (${v})`}, not pausing / original`,
        cpuCell(`asyncify:${v}`),
      ),
    ),
    row('(b) same under JSPI / original', (p, run) => (run.jspi ? cpuCell('jspi')(p) : undefined)),
    row('(a) CPU-bound script, original (ms, context)', (p) => `${p.cpu.ms.original} ms`),
    row('(d) deepest recursion, original', depthCell('original')),
    ...variants.map((v) =>
      row(`(d) deepest recursion, asyncified${v === 'default' ? '' : ` (${v})`}`, depthCell(`asyncify:${v}`)),
    ),
    row('(d) deepest recursion, JSPI', depthCell('jspi')),
    row(
      '(e) hot loop, sleep() not pausing: Asyncify / original',
      pauseCell('hotLoopAsyncifyVsOriginal', 'asyncifyNoPause'),
    ),
    ...variants
      .filter((v) => v !== 'default')
      .flatMap((v) => [
        row(`(e) hot loop, sleep() not pausing: Asyncify (${v}) / original`, (p) =>
          or(p, `pause asyncifyNoPause:${v}`, x(p.pause.variants[v]?.hotLoopVsOriginal)),
        ),
        row(`(e) sleep() pausing every call: Asyncify (${v}) / original`, (p) =>
          or(p, `pause asyncifyPause:${v}`, x(p.pause.variants[v]?.pausingVsOriginal)),
        ),
      ]),
    row('(e) hot loop, sleep() not pausing: JSPI / original', (p, run) =>
      run.jspi ? pauseCell('hotLoopJspiVsOriginal', 'jspiNoPause')(p) : undefined,
    ),
    row(
      '(e) sleep() pausing every call: Asyncify / original',
      pauseCell('pausingAsyncifyVsOriginal', 'asyncifyPause'),
    ),
    row('(e) sleep() pausing every call: JSPI / original', (p, run) =>
      run.jspi ? pauseCell('pausingJspiVsOriginal', 'jspiPause')(p) : undefined,
    ),
    row('(e) one pause + resume: Asyncify / JSPI', (p, run) =>
      run.jspi ? pauseCell('pauseAsyncifyVsJspi', 'asyncifyPause')(p) : undefined,
    ),
    row('(e) one pause + resume, Asyncify (context)', (p) => us(p.pause.usPerPauseAsyncify)),
    row('(e) one pause + resume, JSPI (context)', (p) => us(p.pause.usPerPauseJspi)),
    row('(g) deepest pause, Asyncify', (p) => `${p.peak.deepestPause} (${p.peak.stoppedBy})`),
    row('(g) peak unwind buffer at the deepest pause', (p) => `${p.peak.peakAtDeepest} B`),
    row('(g) unwind buffer per script-level call', (p) => `${p.peak.bytesPerLevel} B`),
    row('(g) deepest pause, JSPI', (p) =>
      p.peak.jspiDeepestPause === undefined
        ? undefined
        : `${p.peak.jspiDeepestPause} (${p.peak.jspiStoppedBy})`,
    ),
    '',
    `Scripts: (a) \`cpu()\`, (d) \`recurse(n)\`, (e) \`sleepLoop(n, ${r.params.pauseNesting})\` (${r.params.hotCount} calls not pausing, ${r.params.pauseCount} pausing;`,
    '(e) ratios compare time per `sleep()` call), (g) `pauseAtDepth(n)`, from bench/programs/<program>/scripts.mjs.',
    '(g) ran with a 16 MiB buffer so that its size is not the limit.',
    ...chromiumRows(r, names),
    '',
    '### Build',
    '',
    '| figure | ' + names.map((n) => r.programs[n].title).join(' | ') + ' |',
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...buildRows(r, names),
  ]
  const warned = names.flatMap((n) =>
    Object.entries(r.programs[n].builds).flatMap(([v, b]) => b.warnings.map((w) => `${n} ${v}: ${w}`)),
  )
  if (warned.length) lines.push('', 'Build warnings:', '', ...warned.map((w) => `- ${w}`))
  const skipped = names.flatMap((n) =>
    Object.entries(r.programs[n].skipped).map(([v, why]) => `${n} ${v}: ${why}`),
  )
  if (skipped.length) lines.push('', 'Variants not built:', '', ...skipped.map((s) => `- ${s}`))
  const failed = columns.flatMap((c) =>
    Object.entries(c.p.failures).map(([k, why]) => `${c.name} ${k} on ${c.node}: ${why}`),
  )
  if (failed.length) lines.push('', 'Contenders that failed (no figure):', '', ...failed.map((s) => `- ${s}`))
  lines.push('', 'Raw medians (ms per CPU-bound run; ns per `sleep()` call in (e)), for context:', '', '```')
  for (const [node, run] of runs) {
    for (const n of names) {
      const p = run.programs[n]
      lines.push(`${node} ${n}: ${JSON.stringify({ cpuMs: p.cpu.ms, nsPerSleepCall: p.pause.nsPerCall })}`)
    }
  }
  lines.push('```')
  lines.push('', `Section label: ${label}.`)
  return lines.join('\n')
}

function chromiumRows(r, names) {
  const c = r.chromium
  if (!c || c.skipped) return ['', `Chromium: ${c?.skipped ?? 'not run'}.`]
  const cell = (kind) =>
    names
      .map((n) => {
        const d = c[n]?.[kind]
        if (!d) return 'n/a'
        const share = kind === 'original' ? '' : `${Math.round((d.depth / c[n].original.depth) * 100)}%, `
        return `${d.depth} (${share}${d.stoppedBy})`
      })
      .join(' | ')
  return [
    '',
    `Figure (d) in Chromium ${c.version} (headless, Debian), same probes:`,
    '',
    `| deepest recursion | ${names.map((n) => r.programs[n].title).join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    `| original | ${cell('original')} |`,
    `| asyncified | ${cell('asyncify')} |`,
    `| JSPI | ${cell('jspi')} |`,
  ]
}

function buildRows(r, names) {
  const cell = (fn) => names.map((n) => fn(r.programs[n]) ?? 'n/a').join(' | ')
  const rows = [
    `| input (.wasm, names kept) | ${cell((p) => kb(p.inputBytes))} |`,
    ...Object.keys(r.programs[names[0]].builds).flatMap((v) => [
      `| (c) Asyncify output / input${v === 'default' ? '' : ` (${v})`} | ${cell((p) => p.builds[v] && `${x(p.builds[v].asyncifyVsInput)} (${kb(p.builds[v].asyncifyBytes)}, ${p.builds[v].instrumented}/${p.builds[v].functions} functions)`)} |`,
    ]),
    `| (c) JSPI twin / input | ${cell((p) => `${x(p.builds.default.jspiVsInput)} (${kb(p.builds.default.jspiBytes)})`)} |`,
  ]
  if (names.some((n) => r.programs[n].usersBuild)) {
    rows.push(
      `| input as users get it (clang + wasm-opt 108, no names) | ${cell((p) => p.usersBuild && kb(p.usersBuild.inputBytes))} |`,
      `| (c) Asyncify output / input, as users get it | ${cell((p) => p.usersBuild && `${x(p.usersBuild.asyncifyVsInput)} (${p.usersBuild.instrumented}/${p.usersBuild.functions} functions)`)} |`,
      `| (c) JSPI twin / input, as users get it | ${cell((p) => p.usersBuild && x(p.usersBuild.jspiVsInput))} |`,
    )
  }
  if (names.some((n) => r.programs[n].buildTime)) {
    const t = (p, key) => p.buildTime && `${(p.buildTime[key] / 1000).toFixed(1)} s`
    rows.push(
      `| (f) cold build, jspi 'auto' / 'off' | ${cell((p) => p.buildTime && `${x(p.buildTime.autoVsOff)} (${t(p, 'autoMs')} / ${t(p, 'offMs')})`)} |`,
      `| (f) warm build (cache hit) / cold, jspi 'auto' | ${cell((p) => p.buildTime && `${x(p.buildTime.warmVsCold)} (${Math.round(p.buildTime.warmMs)} ms)`)} |`,
      `| (f) level and rounds (median) | ${cell((p) => p.buildTime && `-O${p.buildTime.level}, ${p.buildTime.rounds}`)} |`,
    )
  }
  return rows
}
