// Record mode in a page of the Vite dev server: two paths to a pause (direct, and through a function pointer).
// The recorder sends what it saw to the dev server, which writes profile.asyncify-profile.json.
import { _initialize, direct, indirect } from './profile.wasm?asyncify'

const result = document.querySelector('#result')
try {
  await _initialize()
  const got = [await direct(5), await indirect(1, 5), await indirect(0, 5)]
  result.textContent = got.join(',') === '15,115,110' ? 'OK' : `wrong: ${got.join(',')}`
} catch (error) {
  result.textContent = `error: ${error.message}`
}
