import { defineConfig } from 'tsdown'

const shared = {
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // dist/<entry>.mjs + dist/<entry>.d.mts, as package.json's exports map says
  fixedExtension: true,
  dts: true,
} as const

// Two builds, not two entries of one: each file stays self-contained (no shared chunk), so the main entry has
// no imports and record mode's code never reaches a normal build.
export default defineConfig([
  { ...shared, entry: ['src/index.ts'] },
  { ...shared, entry: ['src/profile.ts'], clean: false },
])
