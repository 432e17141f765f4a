/**
 * This entry file is for the esbuild plugin.
 *
 * @module
 * @example
 * ```ts
 * // build.js
 * import { build } from 'esbuild'
 * import asyncify from 'unplugin-asyncify/esbuild'
 *
 * await build({ entryPoints: ['src/main.js'], bundle: true, format: 'esm', outdir: 'dist',
 *   plugins: [asyncify({ asyncImports: ['env.sleep'] })] })
 * ```
 */

import { Asyncify } from './index.ts'

/** The esbuild plugin. */
const esbuild = Asyncify.esbuild as typeof Asyncify.esbuild
export default esbuild
export { esbuild as 'module.exports' }
