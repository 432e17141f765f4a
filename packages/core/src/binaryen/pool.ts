/**
 * A lazy pool of Binaryen worker threads: min(2, cpus) workers, started on first use, one module per worker
 * at a time (binaryen.js keeps global options), a FIFO queue, and a fresh worker after an abort, a crash, an
 * allocation failure, or a job that left it holding more than 1 GiB.
 *
 * The worker always runs from the BUILT file `dist/binaryen/worker.mjs` (Node 20 cannot run TypeScript):
 * from `dist/` it sits next to this code, and when this file runs from `src/` (vitest) we use the package's
 * `dist/` build, so `pnpm --filter @unplugin-asyncify/core build` must have run.
 */

import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { TransformFailure } from '../errors.ts'
import type {
  InjectedFault,
  TransformOptions,
  TransformOutput,
  TransformRequest,
  TransformResponse,
  WorkerMessage,
} from './protocol.ts'

/** Kept per worker for crash reports: the tail of what it printed. */
const OUTPUT_LIMIT = 16_384

/**
 * A worker holding more memory than this after a job is replaced: Binaryen's wasm memory grows with the largest
 * module it has read and is never given back, so one huge (or hostile) input would otherwise pin gigabytes for
 * the rest of a dev-server session.
 */
const RECYCLE_EXTERNAL_BYTES = 1024 * 1024 * 1024

interface Job {
  request: Omit<TransformRequest, 'id'>
  resolve: (output: TransformOutput) => void
  reject: (error: TransformFailure) => void
}

interface Slot {
  worker: Worker
  job?: Job
  id: number
  output: string
  exited: boolean
}

export interface PoolStats {
  /** Workers started since the process began (a cache hit must not move this). */
  workersStarted: number
  /** Transform jobs sent to workers. */
  jobs: number
  /** Workers replaced after an abort, a crash or an allocation failure. */
  restarts: number
  /** Workers replaced after a successful job because they held more than 1 GiB. */
  recycled: number
}

const WORKER_CANDIDATES = ['./binaryen/worker.mjs', '../../dist/binaryen/worker.mjs']

function resolveWorkerFile(): string {
  for (const candidate of WORKER_CANDIDATES) {
    const url = new URL(candidate, import.meta.url)
    if (existsSync(url)) return fileURLToPath(url)
  }
  throw new TransformFailure(
    'ASYNCIFY_WORKER_CRASHED',
    'the Binaryen worker script dist/binaryen/worker.mjs was not found',
    'Build the package first: pnpm --filter @unplugin-asyncify/core build',
  )
}

export class BinaryenPool {
  readonly stats: PoolStats = { workersStarted: 0, jobs: 0, restarts: 0, recycled: 0 }
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private readonly size = Math.max(1, Math.min(2, availableParallelism()))

  run(bytes: Uint8Array, options: TransformOptions, fault?: InjectedFault): Promise<TransformOutput> {
    return new Promise((resolve, reject) => {
      const request: Omit<TransformRequest, 'id'> = { bytes, options }
      if (fault) request.fault = fault
      this.queue.push({ request, resolve, reject })
      this.dispatch()
    })
  }

  /** Stop every worker (idle workers are unref'ed, so this is only needed for a prompt exit). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0)
    await Promise.all(slots.map((slot) => slot.worker.terminate()))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((candidate) => !candidate.job && !candidate.exited)
      if (!slot) {
        if (this.slots.length >= this.size) return
        try {
          slot = this.start()
        } catch (error) {
          for (const job of this.queue.splice(0)) job.reject(error as TransformFailure)
          return
        }
      }
      const job = this.queue.shift()!
      slot.job = job
      slot.output = ''
      slot.worker.ref()
      this.stats.jobs++
      const request: TransformRequest = { ...job.request, id: this.nextId++ }
      slot.worker.postMessage(request)
    }
  }

  private start(): Slot {
    const file = resolveWorkerFile()
    // Workers inherit the parent's flags; `--input-type` (a `node --input-type=module -e` script) kills a
    // worker that runs a file.
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'))
    const worker = new Worker(file, { execArgv })
    this.stats.workersStarted++
    const slot: Slot = { worker, id: this.stats.workersStarted, output: '', exited: false }
    let crash: unknown
    worker.on('error', (error) => {
      crash = error
    })
    worker.on('message', (message: WorkerMessage) => {
      if ('print' in message) slot.output = (slot.output + message.print).slice(-OUTPUT_LIMIT)
      else this.finish(slot, message)
    })
    worker.on('exit', (code) => {
      slot.exited = true
      this.remove(slot)
      const job = slot.job
      slot.job = undefined
      if (job) {
        this.stats.restarts++
        const detail = crash instanceof Error ? crash.message : `exit code ${code}`
        const failure = new TransformFailure(
          'ASYNCIFY_WORKER_CRASHED',
          `the Binaryen worker died (${detail})`,
          'Retry; if it persists, the module may need more memory than the worker has (see binaryenOutput)',
          slot.output.trim() || undefined,
        )
        job.reject(failure)
      }
      this.dispatch()
    })
    worker.unref()
    this.slots.push(slot)
    return slot
  }

  private finish(slot: Slot, response: TransformResponse): void {
    const job = slot.job
    slot.job = undefined
    if (response.ok) {
      if (response.externalBytes > RECYCLE_EXTERNAL_BYTES) {
        this.stats.recycled++
        this.retire(slot)
      } else {
        slot.worker.unref()
      }
      job?.resolve(response.output)
    } else {
      const { code, cause, fix, binaryenOutput } = response.error
      const failure = new TransformFailure(code, cause, fix, binaryenOutput)
      if (response.restart || response.externalBytes > RECYCLE_EXTERNAL_BYTES) {
        // Binaryen's heap is in an unknown state after an abort or an allocation failure: replace the worker.
        this.stats.restarts++
        this.retire(slot)
      } else {
        slot.worker.unref()
      }
      job?.reject(failure)
    }
    this.dispatch()
  }

  /** Take a worker out of the pool and end it; the next job starts a fresh one. */
  private retire(slot: Slot): void {
    slot.exited = true
    this.remove(slot)
    void slot.worker.terminate()
  }

  private remove(slot: Slot): void {
    const index = this.slots.indexOf(slot)
    if (index >= 0) this.slots.splice(index, 1)
  }
}

let pool: BinaryenPool | undefined

/** The process-wide pool, created on first use. */
export function getPool(): BinaryenPool {
  pool ??= new BinaryenPool()
  return pool
}

/** Counters for tests and diagnostics; all zero until the first transform. */
export function poolStats(): PoolStats {
  return pool ? { ...pool.stats } : { workersStarted: 0, jobs: 0, restarts: 0, recycled: 0 }
}

export async function closePool(): Promise<void> {
  await pool?.close()
}
