// The stock templates, made by the real create-vite from the registry, with the README's steps for TypeScript:
// the plugin with `dts: true`, `unplugin-asyncify/client` in the `types` of the tsconfig that includes `src`, an
// alias. The template's own `npm run build` (`tsc && vite build`, its own TypeScript) must pass with EXACT types
// (each file holds a `@ts-expect-error` that an untyped import would leave unused), and again on a fresh checkout
// of the committed declarations before any build.
import { existsSync } from 'node:fs'
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WASM_FIXTURES } from '../bundlers/utils.ts'
import { createProject, type Project } from './project.ts'

/** The create-vite release whose templates are tested (its templates pin vite ^8.3 and TypeScript ~7.0). */
const CREATE_VITE = '9.3.0'

/** What a user adds (README, "TypeScript in a Vite template"): uses every kind of import, typed exactly. */
const USAGE = `import { add64, run } from './game.wasm?asyncify'
import { run as runViaAlias } from '@/game.wasm?asyncify'
import init from './game.wasm?asyncify&init'

export async function play(): Promise<string> {
  const steps: number = await run(5, 1)
  const big: bigint = await add64(2n, 3n)
  const aliased: number = await runViaAlias(1, 2)
  const game = await init()
  const memory: WebAssembly.Memory = game.exports.memory
  // @ts-expect-error: run takes numbers (unused, and so an error, if the import were untyped)
  await run('5', 1)
  // @ts-expect-error: aliased imports are typed as well
  await runViaAlias(1n, 2)
  return \`\${steps} \${big} \${aliased} \${memory.buffer.byteLength > 0}\`
}
`

const WASM_ENV = `// The wasm's env imports (importModules); sleep and get_i64 may pause it.
export const sleep = (ms: number): Promise<number> => new Promise((resolve) => setTimeout(() => resolve(ms), ms))
export const get_i64 = async (value: bigint): Promise<bigint> => value
export const log = (value: number): void => console.log(value)
export const yield_now = (): number => 0
`

const PLUGIN = `asyncify({
      asyncImports: ['env.sleep', 'env.get_i64'],
      importModules: { env: './src/wasm-env.ts' },
      dts: true,
    })`

const ALIAS = `resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } }`

interface Template {
  name: string
  /** The tsconfig whose `include` is `src`. */
  tsconfig: string
  /** Write vite.config.ts and import the usage from the app's entry. */
  setup(project: Project): Promise<void>
}

const templates: Template[] = [
  {
    name: 'vanilla-ts',
    tsconfig: 'tsconfig.json',
    async setup({ dir }) {
      await writeFile(
        join(dir, 'vite.config.ts'),
        `import { fileURLToPath } from 'node:url'
import asyncify from 'unplugin-asyncify/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  ${ALIAS},
  plugins: [
    ${PLUGIN},
  ],
})
`,
      )
      await appendFile(join(dir, 'src/main.ts'), "import { play } from './play.ts'\nvoid play()\n")
    },
  },
  {
    name: 'react-ts',
    tsconfig: 'tsconfig.app.json',
    async setup({ dir }) {
      const config = join(dir, 'vite.config.ts')
      const text = (await readFile(config, 'utf8'))
        .replace(
          "import { defineConfig } from 'vite'",
          "$&\nimport { fileURLToPath } from 'node:url'\nimport asyncify from 'unplugin-asyncify/vite'",
        )
        .replace('plugins: [react()],', `${ALIAS},\n  plugins: [\n    react(),\n    ${PLUGIN},\n  ],`)
      expect(text).toContain('asyncify({')
      await writeFile(config, text)
      await appendFile(join(dir, 'src/main.tsx'), "import { play } from './play.ts'\nvoid play()\n")
    },
  },
]

async function appendFile(path: string, text: string): Promise<void> {
  await writeFile(path, `${await readFile(path, 'utf8')}${text}`)
}

/** tsconfig files are JSONC: create-vite's have comments. */
async function editTsconfig(path: string, edit: (options: Record<string, any>) => void): Promise<void> {
  const text = await readFile(path, 'utf8')
  const json = JSON.parse(text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/,(\s*[}\]])/g, '$1'))
  edit(json.compilerOptions)
  await writeFile(path, `${JSON.stringify(json, null, 2)}\n`)
}

describe.each(templates)('create-vite $name', (template) => {
  it('passes tsc && vite build with exact types, also on a fresh checkout of the committed declarations', async () => {
    const project = await createProject({
      name: `template-${template.name}`,
      createVite: { version: CREATE_VITE, template: template.name },
    })
    const { dir } = project
    // The README's steps.
    await copyFile(join(WASM_FIXTURES, 'compute.wasm'), join(dir, 'src/game.wasm'))
    await writeFile(join(dir, 'src/wasm-env.ts'), WASM_ENV)
    await writeFile(join(dir, 'src/play.ts'), USAGE)
    await editTsconfig(join(dir, template.tsconfig), (options) => {
      options.types = [...(options.types ?? []), 'unplugin-asyncify/client']
      options.paths = { '@/*': ['./src/*'] }
    })
    await template.setup(project)

    // The first build (or dev server start) writes src/asyncify-wasm.d.ts, inside the template's include.
    await project.run('npx', ['vite', 'build'])
    const dts = join(dir, 'src/asyncify-wasm.d.ts')
    expect(existsSync(dts)).toBe(true)
    expect(existsSync(join(dir, 'asyncify-wasm.d.ts'))).toBe(false)
    const committed = await readFile(dts, 'utf8')

    // A fresh checkout: the committed sources (with the declarations), no build output, no plugin cache. tsc runs
    // first; the build then finds the declarations up to date and (in CI) does not warn.
    await rm(join(dir, 'dist'), { recursive: true, force: true })
    await rm(join(dir, 'node_modules/.cache'), { recursive: true, force: true })
    await rm(join(dir, 'node_modules/.tmp'), { recursive: true, force: true })
    const { stdout, stderr } = await project.run('npm', ['run', 'build'], { CI: 'true' })
    expect(`${stdout}${stderr}`).not.toContain('out of date')
    expect(await readFile(dts, 'utf8')).toBe(committed)
    expect(existsSync(join(dir, 'dist/index.html'))).toBe(true)
  })
})
