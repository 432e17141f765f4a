/**
 * Node-only part of the WASI layer: `hostDirectory()` preopens a real directory for the program
 * (`wasi: { preopens: { '/data': hostDirectory('./data') } }`).
 *
 * @module
 */

export * from '@unplugin-asyncify/wasi/node'
