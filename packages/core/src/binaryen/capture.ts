/**
 * binaryen.js prints (verbose pass output, list warnings, `Fatal:` details, abort messages) through
 * `process.stdout.write` / `process.stderr.write` bound at load time, so patching `console` misses it.
 * We swap the two `write` methods for the duration of one call.
 */

export interface Captured<T> {
  value?: T
  error?: unknown
  stdout: string
  stderr: string
}

export function captureOutput<T>(run: () => T): Captured<T> {
  const out = process.stdout
  const err = process.stderr
  const originalOut = out.write
  const originalErr = err.write
  let stdout = ''
  let stderr = ''
  const collect =
    (append: (text: string) => void) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
  out.write = collect((text) => {
    stdout += text
  }) as typeof out.write
  err.write = collect((text) => {
    stderr += text
  }) as typeof err.write
  try {
    return { value: run(), stdout, stderr }
  } catch (error) {
    return { error, stdout, stderr }
  } finally {
    out.write = originalOut
    err.write = originalErr
  }
}
