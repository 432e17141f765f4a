// The deepest nesting a script reaches before something stops it: the engine's native stack ("Maximum call
// stack size exceeded"), the interpreter's own limit, or our runtime. Used by bench/real/runtime.mjs.

/** One line that says what an error was: its code (our runtime's coded errors) or name, and message. */
export function contenderError(error) {
  const first = String(error?.message ?? error).split('\n')[0]
  return error?.code ? `${error.code}: ${first}` : `${error?.name ?? 'Error'}: ${first}`
}

/** What stopped a probe, from the error it threw or what the program printed instead of the result. */
export function stopReason(reason) {
  const text = String(reason)
  if (/Maximum call stack size exceeded/.test(text)) return 'engine stack'
  if (/stack overflow|C stack overflow|error in error handling/i.test(text)) return 'interpreter limit'
  const code = /\bASYNCIFY_[A-Z_]+/.exec(text)
  if (code) return code[0]
  return `other: ${text.trim().split('\n')[0].slice(0, 120)}`
}

/**
 * Gallops from `start` (doubling) to the first depth that fails, then bisects to the exact deepest depth that
 * succeeds. `probe(depth)` resolves to `{ ok, reason?, ...}`; a throw counts as a failure with its message.
 * Returns `{ depth, stoppedBy, reason, at }` where `at` is the successful probe's result at `depth`.
 */
export async function probeDepth(probe, start = 16, limit = 1 << 18) {
  const attempt = async (depth) => {
    try {
      return await probe(depth)
    } catch (error) {
      return { ok: false, reason: contenderError(error) }
    }
  }
  let lo = 0
  let at
  let hi
  let failed
  for (let depth = start; depth <= limit; depth *= 2) {
    const r = await attempt(depth)
    if (r.ok) {
      lo = depth
      at = r
    } else {
      hi = depth
      failed = r
      break
    }
  }
  if (hi === undefined) return { depth: lo, stoppedBy: `nothing up to ${limit}`, at }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    const r = await attempt(mid)
    if (r.ok) {
      lo = mid
      at = r
    } else {
      hi = mid
      failed = r
    }
  }
  return {
    depth: lo,
    stoppedBy: stopReason(failed.reason),
    reason: String(failed.reason).trim().slice(0, 200),
    at,
  }
}

/**
 * Runs `source` on `program` for at least `ms`, then idles up to a second: V8 compiles optimized code for hot wasm
 * functions in the background and swaps it in later, so probes that start right away can run baseline
 * (Liftoff) code, whose frames differ in size (asyncified QuickJS on Node 20: 18 levels optimized, 2459 with
 * Liftoff only). Every probe should see the tier users get after a while.
 */
export async function warmUp(program, source, ms) {
  const until = performance.now() + ms
  try {
    do await program.run(source)
    while (performance.now() < until)
  } catch {
    // a contender that cannot run the script shows that in its probes
  }
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 1000)))
}
