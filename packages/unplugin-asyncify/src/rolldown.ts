/**
 * This entry file is for the Rolldown plugin.
 *
 * @module
 * @example
 * ```ts
 * // rolldown.config.js
 * import asyncify from 'unplugin-asyncify/rolldown'
 *
 * export default {
 *   plugins: [asyncify({ asyncImports: ['env.sleep'] })],
 * }
 * ```
 */

import { Asyncify } from './index.ts'

/** The Rolldown plugin. */
const rolldown = Asyncify.rolldown as typeof Asyncify.rolldown
export default rolldown
export { rolldown as 'module.exports' }
