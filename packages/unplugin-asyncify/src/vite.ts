/**
 * This entry file is for the Vite plugin.
 *
 * @module
 * @example
 * ```ts
 * // vite.config.ts
 * import asyncify from 'unplugin-asyncify/vite'
 *
 * export default defineConfig({
 *   plugins: [asyncify({ asyncImports: ['env.sleep'] })],
 * })
 * ```
 */

import { Asyncify } from './index.ts'

/** The Vite plugin. */
const vite = Asyncify.vite as typeof Asyncify.vite
export default vite
export { vite as 'module.exports' }
