// Packs the three packages once per `vitest run` (as `pnpm publish` would) for every test that installs them into
// a project outside the monorepo. The tarballs go to a temp folder that is removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
// @ts-expect-error: a plain .mjs script without declarations
import { packAll } from '../../scripts/pack.mjs'
import { PROJECTS_DIR } from './paths.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Package name -> absolute path of its tarball. */
    tarballs: Record<string, string>
  }
}

export default function setup(project: TestProject): () => void {
  const dest = mkdtempSync(join(tmpdir(), 'asyncify-packed-'))
  project.provide('tarballs', packAll(dest) as Record<string, string>)
  return () => {
    rmSync(dest, { recursive: true, force: true })
    // The projects hold several hundred MB of node_modules; ASYNCIFY_KEEP_PROJECTS=1 keeps them to look into.
    if (!process.env.ASYNCIFY_KEEP_PROJECTS) rmSync(PROJECTS_DIR, { recursive: true, force: true })
  }
}
