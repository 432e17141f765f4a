// The JavaScript the benchmark and the e2e test run inside QuickJS (bench/programs/quickjs/embed.c).
// Every script prints what it computed, so each run is checked against the original module's output.
// Scripts run in an arrow function: `let` at the top level would clash when a script runs twice in one context.

export const entry = 'eval'

/**
 * CPU-bound, no pause: calls, closures, objects, typed arrays, Map, strings, sort with a JS comparator.
 * Recursion stays 8 calls deep at most: the deepest an asyncified interpreter reaches is figure (d)'s job.
 */
export const cpu = (scale) => `(() => {
  function tree(depth) { return depth === 0 ? { left: null, right: null } : { left: tree(depth - 1), right: tree(depth - 1) } }
  function count(node) { return node.left === null ? 1 : 1 + count(node.left) + count(node.right) }
  function trees(n) {
    let total = 0
    for (let i = 0; i < n; i++) total += count(tree(8))
    return total
  }
  function sieve(n) {
    const composite = new Uint8Array(n + 1)
    let primes = 0
    for (let i = 2; i <= n; i++) {
      if (composite[i]) continue
      primes++
      for (let j = i * i; j <= n; j += i) composite[j] = 1
    }
    return primes
  }
  function tally(n) {
    const sums = new Map()
    for (let i = 0; i < n; i++) {
      const key = 'k' + (i % 997)
      sums.set(key, (sums.get(key) || 0) + i)
    }
    let total = 0
    for (const v of sums.values()) total = (total + v) % 1000003
    return total
  }
  function text(n) {
    const parts = []
    for (let i = 0; i < n; i++) parts.push(String.fromCharCode(97 + (i * 7) % 26))
    return parts.join('').split('a').length
  }
  function sorted(n) {
    const values = []
    let x = 1
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2147483648
      values.push(x)
    }
    values.sort((p, q) => p - q)
    return values[n >> 1]
  }
  print(trees(${4 * scale}), sieve(${20_000 * scale}), tally(${10_000 * scale}), text(${10_000 * scale}),
    sorted(${3_000 * scale}))
})()`

/** Plain recursion `depth` calls deep: each JS call is a native JS_CallInternal frame. Prints `depth`. */
export const recurse = (depth) => `(() => {
  function down(n) { return n === 0 ? 0 : 1 + down(n - 1) }
  print(down(${depth}))
})()`

/** Recursion `depth` deep, then one sleep at the bottom (a pause with the whole stack saved). */
export const pauseAtDepth = (depth) => `(() => {
  function down(n) { return n === 0 ? sleep(1) : 1 + down(n - 1) }
  print(down(${depth}))
})()`

/** `count` sleeps from `nesting` JS calls deep: each pause saves and restores the interpreter's stack. */
export const sleepLoop = (count, nesting) => `(() => {
  function down(n) {
    if (n > 0) return down(n - 1)
    let total = 0
    for (let i = 0; i < ${count}; i++) total += sleep(1)
    return total
  }
  print(down(${nesting}))
})()`

/** The e2e script: reads every input line, sleeps between them, uses regexps, JSON, promises and classes. */
export const io = `(() => {
  class Account {
    constructor(name) { this.name = name; this.total = 0 }
    add(n) { this.total += n; return this }
  }
  const accounts = new Map()
  let line
  let count = 0
  while ((line = readLine()) !== null) {
    const match = /^(\\w+)\\s+(-?\\d+)$/.exec(line)
    if (!match) { print('skip', JSON.stringify(line)); continue }
    const [, name, amount] = match
    if (!accounts.has(name)) accounts.set(name, new Account(name))
    accounts.get(name).add(Number(amount))
    print('slept', sleep(count++ % 3), 'after', name)
  }
  const report = [...accounts.values()].sort((a, b) => b.total - a.total).map((a) => a.name + '=' + a.total)
  print(JSON.stringify(report))
  Promise.resolve(count).then((n) => print('lines', n, 'slept', sleep(2)))
})()`

/** `cpu()` scale: about 0.5-1 s on the original module in the full run, a few ms in --quick. */
export const cpuScale = { full: 48, quick: 1 }
