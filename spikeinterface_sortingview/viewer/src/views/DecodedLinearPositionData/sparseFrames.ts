// Decoded probabilities stored sparsely, frame after frame (docs/figure-format.md, "Decoded position"):
// `values` (0..255) with a bin index each, and per frame the count of entries (`frameBounds`).
import type { Numbers } from '../decode'
import { ViewDataError } from '../decode'

export interface SparseFrames {
  values: Numbers
  /** The bin of each value (a position index, or a 2-D grid location) */
  bins: Numbers
  /** starts[t]..starts[t+1] are the entries of frame t (length numFrames + 1) */
  starts: Float64Array
  numFrames: number
}

/** Checks the three arrays agree and indexes where each frame starts. */
export function sparseFrames(values: Numbers, bins: Numbers, frameBounds: Numbers, what: string): SparseFrames {
  if (values.length !== bins.length) {
    throw new ViewDataError(`${what}: values has ${values.length} entries but its bin indices have ${bins.length}`)
  }
  const starts = new Float64Array(frameBounds.length + 1)
  for (let t = 0; t < frameBounds.length; t++) starts[t + 1] = (starts[t] as number) + Number(frameBounds[t])
  const total = starts[frameBounds.length] as number
  if (total !== values.length) {
    throw new ViewDataError(`${what}: frameBounds add up to ${total} entries but there are ${values.length} values`)
  }
  return { values, bins, starts, numFrames: frameBounds.length }
}

/**
 * The largest value of each bin over the frames of each output column: column c covers frames
 * [firstFrame + c * framesPerColumn, firstFrame + (c + 1) * framesPerColumn). The result is
 * columns x numBins (column-major by bin: out[c * numBins + bin]). The maximum keeps a brief
 * event visible when many frames share one pixel column.
 */
export function columnMaxima(
  frames: SparseFrames,
  numBins: number,
  firstFrame: number,
  framesPerColumn: number,
  columns: number,
): Uint8Array {
  const out = new Uint8Array(columns * numBins)
  const t0 = Math.max(0, Math.floor(firstFrame))
  const t1 = Math.min(frames.numFrames, Math.ceil(firstFrame + framesPerColumn * columns))
  const { values, bins, starts } = frames
  for (let t = t0; t < t1; t++) {
    const c = Math.floor((t - firstFrame) / framesPerColumn)
    if (c < 0 || c >= columns) continue
    const row = c * numBins
    for (let i = starts[t] as number, end = starts[t + 1] as number; i < end; i++) {
      const bin = bins[i] as number
      if (bin < 0 || bin >= numBins) continue
      const v = values[i] as number
      if (v > (out[row + bin] as number)) out[row + bin] = v
    }
  }
  return out
}

/** Bin edges for bin centres (midpoints between neighbours; the outer bins as wide as their neighbour). */
export function binEdges(centres: Numbers): Float64Array {
  const n = centres.length
  const edges = new Float64Array(n + 1)
  if (n === 0) return edges
  if (n === 1) {
    edges[0] = (centres[0] as number) - 0.5
    edges[1] = (centres[0] as number) + 0.5
    return edges
  }
  for (let i = 1; i < n; i++) edges[i] = ((centres[i - 1] as number) + (centres[i] as number)) / 2
  edges[0] = (centres[0] as number) - ((edges[1] as number) - (centres[0] as number))
  edges[n] = (centres[n - 1] as number) + ((centres[n - 1] as number) - (edges[n - 1] as number))
  return edges
}

/** The frame shown at time `t`: the last frame whose timestamp is at or before it (0 before the first). */
export function frameAtTime(timestamps: Numbers, t: number): number {
  let lo = 0
  let hi = timestamps.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((timestamps[mid] as number) <= t) lo = mid + 1
    else hi = mid
  }
  return Math.max(0, lo - 1)
}
