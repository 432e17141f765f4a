// Synchronous C (sum.c) that calls an async JS function: `?asyncify` makes `sum_values()` return a promise.
import init from './sum.wasm?asyncify&init'

// JS answers each request later, as a fetch, a prompt or a worker message would.
const fetch_value = (index) => new Promise((resolve) => setTimeout(() => resolve(index * index), 1))

init({ env: { fetch_value } }).then(async ({ exports, mode }) => {
  console.log(`sum_values(10) = ${await exports.sum_values(10)} (${mode})`)
})
