// Where each channel's trace goes: stacked by depth along the probe, baseline and scale from the data.
import type { ChannelLocations } from '../decode'
import { channelScale, type TracesWindow } from './tracesTasks'

/**
 * Channels from the top of the plot to the bottom: highest y (probe coordinate) first, as the probe is drawn
 * elsewhere; side by side channels (equal y) left to right. Channels without a location keep their order, last.
 */
export function channelsTopToBottom(ids: readonly string[], locations: ChannelLocations): string[] {
  const placed = ids.filter((id) => locations.has(id))
  const unplaced = ids.filter((id) => !locations.has(id))
  const order = new Map(ids.map((id, i) => [id, i]))
  placed.sort((a, b) => {
    const [ax, ay] = locations.get(a) as [number, number]
    const [bx, by] = locations.get(b) as [number, number]
    return by - ay || ax - bx || (order.get(a) as number) - (order.get(b) as number)
  })
  return [...placed, ...unplaced]
}

// Every row is not needed for a robust statistic; a few thousand keep it fast on 384-channel windows.
const MAX_ROWS_SAMPLED = 2048

/** Some of a channel's values, in data units. */
function sampledColumn(w: TracesWindow, channel: number, scratch: Float32Array): Float32Array {
  const step = Math.max(1, Math.floor(w.numSamples / MAX_ROWS_SAMPLED))
  const [gain, offset] = channelScale(w, channel)
  let n = 0
  for (let r = 0; r < w.numSamples && n < scratch.length; r += step) {
    scratch[n++] = (w.data[r * w.numChannels + channel] as number) * gain + offset
  }
  return scratch.subarray(0, n)
}

function median(values: Float32Array): number {
  if (values.length === 0) return 0
  const sorted = Float32Array.from(values).sort()
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export interface ChannelStats {
  /** Per channel (window column) median: the baseline drawn at the row's centre (raw traces carry offsets) */
  medians: Float32Array
  /**
   * How tall a channel's trace typically is at one plotted point, over the channels' median: the min..max
   * of a decimated bin, or four robust standard deviations (MAD / 0.6745) of undecimated samples, which a
   * line through them covers just the same. 0 for a flat window.
   */
  spread: number
  /**
   * How far the large excursions (spikes) reach from the baseline: each channel's largest |value - median|,
   * the 90th percentile over channels (the spiking ones, not the one channel with an artifact). 0 when flat.
   */
  peak: number
}

/** Keeps a channel's largest deviations within its row: the default scale draws `peak` this far (in rows). */
export const PEAK_PER_ROW = 0.45

/**
 * Data units per row height of the default scale: noise takes `spreadPerRow` of a row unless the window's
 * spikes would then reach past `PEAK_PER_ROW` of it (into the next channel's row), in which case they decide.
 */
export function unitsPerRow(stats: ChannelStats, spreadPerRow: number): number {
  const byNoise = stats.spread / spreadPerRow
  const byPeak = stats.peak / PEAK_PER_ROW
  const units = Math.max(byNoise, byPeak)
  return units > 0 ? units : 1
}

export function channelStats(w: TracesWindow): ChannelStats {
  const medians = new Float32Array(w.numChannels)
  const spreads: number[] = []
  const peaks: number[] = []
  const scratch = new Float32Array(Math.min(w.numSamples, MAX_ROWS_SAMPLED + 1))
  const binHeights = new Float32Array(Math.min(w.numSamples >> 1, MAX_ROWS_SAMPLED))
  for (let c = 0; c < w.numChannels; c++) {
    const col = sampledColumn(w, c, scratch)
    const m = median(col)
    medians[c] = m
    const [g, o] = channelScale(w, c)
    let peak = 0
    for (let r = 0; r < w.numSamples; r++) {
      const d = Math.abs((w.data[r * w.numChannels + c] as number) * g + o - m)
      if (d > peak) peak = d
    }
    peaks.push(peak)
    if (w.minMax) {
      const step = Math.max(1, Math.floor((w.numSamples >> 1) / binHeights.length))
      const gain = Math.abs(channelScale(w, c)[0])
      let n = 0
      for (let b = 0; 2 * b + 1 < w.numSamples && n < binHeights.length; b += step) {
        binHeights[n++] = ((w.data[(2 * b + 1) * w.numChannels + c] as number) - (w.data[2 * b * w.numChannels + c] as number)) * gain
      }
      spreads.push(median(binHeights.subarray(0, n)))
    } else {
      for (let i = 0; i < col.length; i++) col[i] = Math.abs((col[i] as number) - m)
      spreads.push((4 * median(col)) / 0.6745)
    }
  }
  spreads.sort((a, b) => a - b)
  peaks.sort((a, b) => a - b)
  return { medians, spread: spreads[spreads.length >> 1] ?? 0, peak: peaks[Math.floor(0.9 * (peaks.length - 1))] ?? 0 }
}
