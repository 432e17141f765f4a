/**
 * This entry file is for the Rollup plugin.
 *
 * @module
 * @example
 * ```ts
 * // rollup.config.js
 * import asyncify from 'unplugin-asyncify/rollup'
 *
 * export default {
 *   plugins: [asyncify({ asyncImports: ['env.sleep'] })],
 * }
 * ```
 */

import { Asyncify } from './index.ts'

/** The Rollup plugin. */
const rollup = Asyncify.rollup as typeof Asyncify.rollup
export default rollup
export { rollup as 'module.exports' }
