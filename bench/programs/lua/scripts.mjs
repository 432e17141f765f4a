// The Lua the benchmark and the e2e test run inside Lua 5.4 (bench/programs/lua/embed.c).
// Every script prints what it computed, so each run is checked against the original module's output.
// In Lua a call from Lua to Lua stays inside one C frame of the interpreter; pcall (and metamethods,
// coroutines, sort comparators) enters the interpreter again from C, so nesting is built with pcall.

export const entry = 'run'

/** `cpu()` scale: about 0.5-1 s on the original module in the full run, a few ms in --quick. */
export const cpuScale = { full: 32, quick: 1 }

/**
 * CPU-bound, no pause: calls, closures, tables, strings, string patterns, sort with a Lua comparator.
 * Recursion stays 8 calls deep at most: the deepest an asyncified interpreter reaches is figure (d)'s job.
 */
export const cpu = (scale) => `
local function tree(depth)
  if depth == 0 then return {} end
  return { left = tree(depth - 1), right = tree(depth - 1) }
end
local function count(node)
  if node.left == nil then return 1 end
  return 1 + count(node.left) + count(node.right)
end
local function trees(n)
  local total = 0
  for _ = 1, n do total = total + count(tree(8)) end
  return total
end
local function sieve(n)
  local composite, primes = {}, 0
  for i = 2, n do
    if not composite[i] then
      primes = primes + 1
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return primes
end
local function tally(n)
  local sums = {}
  for i = 0, n - 1 do
    local key = 'k' .. (i % 997)
    sums[key] = (sums[key] or 0) + i
  end
  local keys = {}
  for k in pairs(sums) do keys[#keys + 1] = k end
  table.sort(keys)
  local total = 0
  for _, k in ipairs(keys) do total = (total + sums[k]) % 1000003 end
  return total
end
local function text(n)
  local parts = {}
  for i = 0, n - 1 do parts[#parts + 1] = string.char(97 + (i * 7) % 26) end
  local s, pieces = table.concat(parts), 0
  for _ in s:gmatch('[^a]+') do pieces = pieces + 1 end
  return pieces
end
local function sorted(n)
  local values, x = {}, 1
  for i = 1, n do
    x = (x * 1103515245 + 12345) % 2147483648
    values[i] = x
  end
  table.sort(values, function(p, q) return p < q end)
  return values[n // 2 + 1]
end
print(trees(${4 * scale}), sieve(${20_000 * scale}), tally(${10_000 * scale}), text(${10_000 * scale}),
  sorted(${3_000 * scale}))
`

/** `depth` nested pcalls: each one enters the interpreter again from C (luaD_rawrunprotected, setjmp). */
export const recurse = (depth) => `
local function nest(n)
  if n == 0 then return 0 end
  local ok, v = pcall(nest, n - 1)
  if not ok then error(v, 0) end
  return v + 1
end
print(nest(${depth}))
`

/** `depth` nested pcalls, then one sleep at the bottom (a pause with the whole stack saved). */
export const pauseAtDepth = (depth) => `
local function nest(n)
  if n == 0 then return sleep(1) end
  local ok, v = pcall(nest, n - 1)
  if not ok then error(v, 0) end
  return v + 1
end
print(nest(${depth}))
`

/** `count` sleeps from `nesting` pcalls deep: each pause saves and restores the interpreter's stack. */
export const sleepLoop = (count, nesting) => `
local function nest(n)
  if n > 0 then
    local ok, v = pcall(nest, n - 1)
    if not ok then error(v, 0) end
    return v
  end
  local total = 0
  for _ = 1, ${count} do total = total + sleep(1) end
  return total
end
print(nest(${nesting}))
`

/** The e2e script: reads every input line, sleeps between them, patterns, tables, a coroutine, pcall. */
export const io = `
local accounts, order, count = {}, {}, 0
local worker = coroutine.wrap(function(name, amount)
  while true do
    if not accounts[name] then accounts[name] = 0; order[#order + 1] = name end
    accounts[name] = accounts[name] + amount
    name, amount = coroutine.yield(sleep(count % 3))
  end
end)
while true do
  local line = read_line()
  if line == nil then break end
  local name, amount = line:match('^(%w+)%s+(-?%d+)$')
  if name then
    print('slept', worker(name, tonumber(amount)), 'after', name)
    count = count + 1
  else
    local ok, err = pcall(error, { line = line })
    print('skip', string.format('%q', err.line), ok)
  end
end
table.sort(order, function(a, b) return accounts[a] > accounts[b] end)
local report = {}
for _, name in ipairs(order) do report[#report + 1] = name .. '=' .. accounts[name] end
print(table.concat(report, ','), 'lines', count, 'slept', sleep(2))
`
