#!/usr/bin/env node
/**
 * `wasm-asyncify` from the plugin package, so `npx -p unplugin-asyncify wasm-asyncify` works: the same CLI as
 * `@unplugin-asyncify/core`'s, which runs on import.
 *
 * @module
 */
import '@unplugin-asyncify/core/cli'
