/**
 * This entry file is for the webpack plugin.
 *
 * @module
 * @example
 * ```ts
 * // webpack.config.js
 * import asyncify from 'unplugin-asyncify/webpack'
 *
 * export default {
 *   plugins: [asyncify({ asyncImports: ['env.sleep'] })],
 * }
 * ```
 */

import { Asyncify } from './index.ts'

/** The webpack plugin. */
const webpack = Asyncify.webpack as typeof Asyncify.webpack
export default webpack
export { webpack as 'module.exports' }
