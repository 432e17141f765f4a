// The "Profile-guided instrumentation" section of bench/RESULTS.md: the figures of issue 13 for the `profile`
// variant (and `profileUnchecked`, the same without its safety net) next to the default build, from one run of
// bench/real.mjs --variants=profile,profileUnchecked.

const x = (value) => (value === undefined || value === null ? 'n/a' : `${value}x`)
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`
const round2 = (value) => Math.round(value * 100) / 100

export function renderProfile(r) {
  const names = Object.keys(r.programs).filter((name) => r.programs[name].builds.profile)
  const title = (name) => r.programs[name].title
  const cell = (fn) => names.map((name) => fn(r.programs[name], name) ?? 'n/a').join(' | ')
  const failed = (run, name, key) => run.programs[name]?.failures[key]
  const cpu = (run) => (p, name) => {
    const ratio = (variant) =>
      failed(run, name, `cpu asyncify:${variant}`)
        ? `fails (${failed(run, name, `cpu asyncify:${variant}`)})`
        : x(run.programs[name]?.cpu.vsOriginal[`asyncify:${variant}`])
    const unchecked = p.builds.profileUnchecked ? `; without the safety net ${ratio('profileUnchecked')}` : ''
    const binaryen = p.builds.profileBinaryenAsserts
      ? `; with Binaryen's asserts instead ${ratio('profileBinaryenAsserts')}`
      : ''
    return `${ratio('default')} -> **${ratio('profile')}**${unchecked}${binaryen}`
  }
  const depth = (run) => (_, name) => {
    const d = run.programs[name]?.depth
    if (!d) return undefined
    const share = (key) =>
      d[key] ? `${d[key].depth} (${Math.round((d[key].depth / d.original.depth) * 100)}%)` : 'n/a'
    return `original ${d.original.depth}: ${share('asyncify:default')} -> **${share('asyncify:profile')}**`
  }
  // the input without its DWARF (the build drops it): the code and names a user would otherwise ship
  const size = (p, variant) => {
    const b = p.builds[variant]
    return b && `${x(round2(b.asyncifyBytes / (b.inputBytes - b.dwarfBytes)))} (${kb(b.asyncifyBytes)})`
  }
  const lines = [
    `Measured ${r.machine.date} on ${r.machine.model}, ${r.machine.cores} cores, Node ${r.node20.node} and Node`,
    `${r.node26.node}, by \`node bench/real.mjs --variants=profile,profileUnchecked,profileBinaryenAsserts\` (${r.minutes} min). Each cell:`,
    'the default build (`asyncImports` = the two pausing imports) -> the build from the committed profile',
    '(`profile: true`, asserts on: the safety net). Profiles: `bench/programs/<name>/<name>.asyncify-profile.json`,',
    'recorded by `node bench/programs/record-profile.mjs` (a development build in record mode running the',
    "test's and the benchmark's pausing scripts). Runtime ratios: medians over interleaved rounds, every run's",
    "output checked against the original module's; see the Real programs section for the rest.",
    '',
    `| figure | ${names.map(title).join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    `| functions instrumented | ${cell((p) => `${p.builds.default.instrumented}/${p.builds.default.functions} -> **${p.builds.profile.instrumented}**`)} |`,
    `| CPU-bound script, asyncified, not pausing / original, Node 20 | ${cell(cpu(r.node20))} |`,
    ...(r.node20TopTier
      ? [
          `| same, Node 20 with \`--no-turbo-use-mid-tier-regalloc-for-huge-functions\` | ${cell(cpu(r.node20TopTier))} |`,
        ]
      : []),
    `| same, Node 26 | ${cell(cpu(r.node26))} |`,
    `| same under JSPI / original, Node 26 (context) | ${cell((_, name) => x(r.node26.programs[name]?.cpu.vsOriginal.jspi))} |`,
    `| output size / input without DWARF (${names.map((n) => `${title(n)} ${kb(r.programs[n].builds.default.inputBytes - r.programs[n].builds.default.dwarfBytes)}`).join(', ')}) | ${cell((p) => `${size(p, 'default')} -> **${size(p, 'profile')}**${p.builds.profileUnchecked ? `; without the safety net ${size(p, 'profileUnchecked')}` : ''}`)} |`,
    `| deepest recursion (share of the original's), Node 20 | ${cell(depth(r.node20))} |`,
    ...(r.node20TopTier
      ? [
          `| same, Node 20 with \`--no-turbo-use-mid-tier-regalloc-for-huge-functions\` | ${cell(depth(r.node20TopTier))} |`,
        ]
      : []),
    `| same, Node 26 | ${cell(depth(r.node26))} |`,
  ]
  // --quick times the smallest program only, which need not be the first
  const timed = names.map((name) => r.programs[name].buildTime).find((time) => time?.profileMs)
  if (timed) {
    const s = (ms) => `${(ms / 1000).toFixed(1)} s`
    lines.push(
      `| cold build, jspi 'auto', -O${timed.level} (median of ${timed.rounds}) | ${cell((p) => p.buildTime?.profileMs && `${s(p.buildTime.autoMs)} -> **${s(p.buildTime.profileMs)}** (${x(p.buildTime.profileVsAuto)})`)} |`,
    )
  }
  return lines.join('\n')
}
