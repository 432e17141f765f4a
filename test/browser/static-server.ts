// The browser tests serve built apps with the playground demo's static server.
import { serveStatic } from '../../playground/scripts/static-server.mjs'

export type StaticServer = Awaited<ReturnType<typeof serveStatic>>
export { serveStatic }
