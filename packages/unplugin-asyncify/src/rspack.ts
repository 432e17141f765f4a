/**
 * This entry file is for the Rspack plugin.
 *
 * @module
 * @example
 * ```ts
 * // rspack.config.js
 * import asyncify from 'unplugin-asyncify/rspack'
 *
 * export default {
 *   plugins: [asyncify({ asyncImports: ['env.sleep'] })],
 * }
 * ```
 */

import { Asyncify } from './index.ts'

/** The Rspack plugin. */
const rspack = Asyncify.rspack as typeof Asyncify.rspack
export default rspack
export { rspack as 'module.exports' }
