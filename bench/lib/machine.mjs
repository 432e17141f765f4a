// The machine a result was measured on: CPU model and core count (from lscpu where it exists), the date, and the
// 1-minute load average (other work on the machine moves absolute times and, less, ratios).
import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown CPU'
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' })
    model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1].trim() ?? model
  } catch {}
  return { model, cores: cpus().length, date: new Date().toISOString().slice(0, 10), load: loadavg()[0] }
}
