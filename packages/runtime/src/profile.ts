/**
 * @unplugin-asyncify/runtime/profile: the profile file format and the record-mode recorder. The glue imports it
 * only in record mode; the build and the dev server use the format functions.
 *
 * @module
 */

export {
  type AsyncifyProfile,
  type KnownNames,
  mergeProfile,
  type PauseSample,
  PROFILE_VERSION,
  type ProfileFs,
  type ProfileModule,
  parseProfile,
  readProfileFile,
  serializeProfile,
  writeProfileSamples,
} from './profile-format.ts'
export {
  createRecorder,
  type HotChannel,
  PROFILE_EVENT,
  type ProfileMessage,
  pausedFunctions,
  type RecorderOptions,
} from './profile-recorder.ts'
export { functionNames } from './wasm-frames.ts'
