// Timing helpers. Every figure the bench reports is a ratio of two measurements taken in the same process,
// in interleaved rounds, so machine speed and drift cancel out.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Nanoseconds per call of `op` (sync or async), over `iterations` sequential calls. */
export async function nsPerOp(op, iterations) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) await op(i)
  return Number(process.hrtime.bigint() - start) / iterations
}

/**
 * Runs each contender once per round, in alternating order, after `warmup` calls of each. Returns the median
 * ns/op per contender, and `ratio(a, b)`: the median over rounds of a's time / b's time in the same round,
 * which cancels drift between rounds better than a ratio of medians.
 */
export async function compare(contenders, { iterations, rounds, warmup = Math.max(1, iterations >> 2) }) {
  const names = Object.keys(contenders)
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (const name of names) await nsPerOp(contenders[name], warmup)
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...names].reverse() : names
    for (const name of order) samples[name].push(await nsPerOp(contenders[name], iterations))
  }
  return {
    ns: Object.fromEntries(names.map((name) => [name, median(samples[name])])),
    ratio: (a, b) => ratio(median(samples[a].map((t, i) => t / samples[b][i])), 1),
  }
}

export function ratio(a, b) {
  return Math.round((a / b) * 100) / 100
}
