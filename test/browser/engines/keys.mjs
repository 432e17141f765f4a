// Playwright's key names (`keyboard.press('ArrowRight')`, `'Shift+Tab'`) as WebDriver key values: WebDriver
// sends a named key as one code point of its private-use table (https://w3c.github.io/webdriver/#keyboard-actions).

/** @type {Record<string, string>} */
const NAMED = {
  Backspace: '\uE003',
  Tab: '\uE004',
  Enter: '\uE006',
  Shift: '\uE008',
  ShiftLeft: '\uE008',
  Control: '\uE009',
  ControlOrMeta: '\uE009', // playwright: Control everywhere but macOS
  Alt: '\uE00A',
  Escape: '\uE00C',
  Space: '\uE00D',
  PageUp: '\uE00E',
  PageDown: '\uE00F',
  End: '\uE010',
  Home: '\uE011',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Insert: '\uE016',
  Delete: '\uE017',
  Meta: '\uE03D',
  Backquote: '`',
  Minus: '-',
  Equal: '=',
  Backslash: '\\',
}
for (let n = 1; n <= 12; n++) NAMED[`F${n}`] = String.fromCharCode(0xe031 + n - 1)

/**
 * The WebDriver value of one key name: a named key, `KeyA`/`Digit1`, or a single character.
 * @param {string} name
 */
export function keyValue(name) {
  const named = NAMED[name]
  if (named) return named
  const code = /^(?:Key([A-Z])|Digit(\d))$/.exec(name)
  if (code) return (code[1] ?? code[2]).toLowerCase()
  if ([...name].length === 1) return name
  throw new Error(
    `Unknown key "${name}": use a playwright key name (Enter, ArrowUp, KeyA, F1…) or one character`,
  )
}

/**
 * The WebDriver values of `'Shift+Tab'`, in the order they go down. A `+` that ends the combination is the
 * plus key (`'Shift++'`), as in playwright.
 * @param {string} combo
 */
export function comboValues(combo) {
  return combo.split(/\+(?=.)/).map(keyValue)
}

/**
 * `'Shift+Tab'` as the key-down/key-up actions of one press: modifiers down, the key, modifiers up.
 * @param {string} combo
 */
export function pressActions(combo) {
  const values = comboValues(combo)
  return [
    ...values.map((value) => ({ type: 'keyDown', value })),
    ...values.reverse().map((value) => ({ type: 'keyUp', value })),
  ]
}

/**
 * Text typed character by character, as `keyboard.type` does.
 * @param {string} text
 */
export function typeActions(text) {
  return [...text].flatMap((value) => [
    { type: 'keyDown', value },
    { type: 'keyUp', value },
  ])
}
