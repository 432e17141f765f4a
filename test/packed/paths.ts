import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** All packed-install projects live here; removed after the run unless ASYNCIFY_KEEP_PROJECTS is set. */
export const PROJECTS_DIR: string = join(tmpdir(), 'unplugin-asyncify-packed')
