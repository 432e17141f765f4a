/**
 * Record mode from a browser page of the Vite dev server: the page cannot write the profile file, so its
 * recorder sends each new sample over `import.meta.hot` and the server merges it into the file. Only files that a
 * build of this server set up for recording are written, and a message is checked before anything is: a page
 * is not trusted.
 */

import * as fs from 'node:fs'
import { relative } from 'node:path'
import {
  functionNames,
  type PauseSample,
  type ProfileMessage,
  type RecorderOptions,
  writeProfileSamples,
} from '@unplugin-asyncify/runtime/profile'
import type { ProcessorContext } from './processor.ts'

/** Bounds on what one message may hold: far above any real stack, far below what could hurt the server. */
const MAX_SAMPLES = 1000
const MAX_FUNCTIONS = 100_000
const MAX_NAME = 4096

interface Recording {
  options: RecorderOptions
  /** The binary the page runs: its name section lists the module's functions (read only when needed). */
  wasm: Uint8Array
}

export class ProfileSink {
  private readonly recordings = new Map<string, Recording>()
  private readonly context: ProcessorContext

  constructor(context: ProcessorContext) {
    this.context = context
  }

  /** A glue module in record mode was served: accept its samples for `options.file`. */
  expect(options: RecorderOptions, wasm: Uint8Array): void {
    this.recordings.set(options.file, { options, wasm })
  }

  /** A message from a page (`PROFILE_EVENT`): merged into its profile file when it is one we expect. */
  receive(message: unknown): void {
    if (!isProfileMessage(message)) {
      this.context.logger.warn('ignored a profile message from a page: it is not one the recorder sends')
      return
    }
    const recording = this.recordings.get(message.file)
    if (!recording) {
      this.context.logger.warn(
        `ignored a profile message for "${message.file}": no module of this server records there`,
      )
      return
    }
    const shown = relative(this.context.root, message.file)
    let names: Set<string> | undefined
    const known = () => {
      names ??= new Set(functionNames(new WebAssembly.Module(recording.wasm as BufferSource)).values())
      return names
    }
    try {
      writeProfileSamples(fs, message.file, recording.options.module, message.samples, known)
    } catch (error) {
      this.context.logger.warn(`could not record into "${shown}": ${(error as Error).message}`)
      return
    }
    const imports = [...new Set(message.samples.map((sample) => sample.import))].join(', ')
    this.context.logger.info(`profile: recorded a pause in ${imports} into ${shown}`)
  }
}

function isProfileMessage(value: unknown): value is ProfileMessage {
  const message = value as Partial<ProfileMessage> | null
  return (
    message !== null &&
    typeof message === 'object' &&
    typeof message.file === 'string' &&
    Array.isArray(message.samples) &&
    message.samples.length <= MAX_SAMPLES &&
    message.samples.every(isSample)
  )
}

function isSample(value: unknown): value is PauseSample {
  const sample = value as Partial<PauseSample> | null
  const name = (text: unknown) => typeof text === 'string' && text !== '' && text.length <= MAX_NAME
  return (
    sample !== null &&
    typeof sample === 'object' &&
    name(sample.import) &&
    Array.isArray(sample.functions) &&
    sample.functions.length <= MAX_FUNCTIONS &&
    sample.functions.every(name)
  )
}
