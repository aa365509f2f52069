// Spike-train helpers for time-axis plots.
import type { Numbers } from '../decode'

/** Spike times must be ascending for binary search; sort (with companions) only when they are not. */
export function ensureSorted(times: Numbers, companions: Numbers[] = []): { times: Numbers; companions: Numbers[] } {
  let sorted = true
  for (let i = 1; i < times.length; i++) {
    if ((times[i] as number) < (times[i - 1] as number)) {
      sorted = false
      break
    }
  }
  if (sorted) return { times, companions }
  const order = Array.from({ length: times.length }, (_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number))
  const pick = (src: Numbers): Float32Array => Float32Array.from(order, (i) => src[i] as number)
  return { times: pick(times), companions: companions.map(pick) }
}

/** Robust value range (ignores the most extreme 0.2% at each end) from a sample of the values. */
export function robustRange(arrays: Numbers[], maxSample = 200_000): [number, number] {
  let total = 0
  for (const a of arrays) total += a.length
  if (total === 0) return [0, 1]
  const stride = Math.max(1, Math.floor(total / maxSample))
  // A typed array sorts natively (NaN last): 250,000 amplitudes in ~20 ms, against ~800 ms for a number[] with a comparator.
  const sample = new Float64Array(Math.ceil(total / stride))
  let n = 0
  let k = 0
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++, k++) if (k % stride === 0) sample[n++] = a[i] as number
  }
  const finite = sample.subarray(0, n).sort()
  let end = finite.length
  while (end > 0 && Number.isNaN(finite[end - 1] as number)) end--
  const sorted = finite.subarray(0, end)
  const lo = sorted[Math.floor(sorted.length * 0.002)] ?? 0
  const hi = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.998))] ?? 1
  if (!(hi > lo)) return [lo - 1, hi + 1]
  const pad = (hi - lo) * 0.05
  return [lo - pad, hi + pad]
}
