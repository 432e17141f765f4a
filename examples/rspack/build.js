// Rspack's CLI is a separate package; its JS API builds the same config.
import { rspack } from '@rspack/core'
import config from './rspack.config.js'

const compiler = rspack(config)
compiler.run((error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString('errors-only'))
    process.exitCode = 1
  }
  compiler.close(() => {})
})
