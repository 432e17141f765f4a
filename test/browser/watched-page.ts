// A page that records what would make a passing page fail: uncaught errors and console errors.
import type { Engine, EnginePage } from './engines.mjs'

export interface WatchedPage {
  page: EnginePage
  /** Uncaught exceptions and console errors seen so far: a passing page has none. */
  problems: string[]
}

export async function openPage(engine: Engine, url: string): Promise<WatchedPage> {
  const page = await engine.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  await page.goto(url)
  return { page, problems }
}
