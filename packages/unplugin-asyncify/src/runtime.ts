/**
 * The runtime the generated glue uses, re-exported so projects can name its types (the `dts` option's
 * declarations import them from here) or instantiate an asyncified module by hand.
 *
 * @module
 */

export * from '@unplugin-asyncify/runtime'
