// Draws one unit's waveforms, each channel at its electrode position (or stacked when positions are unknown).
import type { ChannelLocations, Matrix } from '../decode'
import type { AverageWaveformItem } from './data'

interface ChannelPlacement {
  row: number
  x: number
  y: number
}

/** Channel positions for one unit; without locations the channels are stacked top to bottom. */
export function placeChannels(item: AverageWaveformItem, locations: ChannelLocations): ChannelPlacement[] {
  return item.channelIds.map((id, row) => {
    const loc = locations.get(id)
    return loc ? { row, x: loc[0], y: loc[1] } : { row, x: 0, y: -row * 20 }
  })
}

function minSpacing(values: number[], fallback: number): number {
  const sorted = [...new Set(values)].sort((a, b) => a - b)
  let best = Infinity
  for (let i = 1; i < sorted.length; i++) best = Math.min(best, (sorted[i] as number) - (sorted[i - 1] as number))
  return Number.isFinite(best) && best > 0 ? best : fallback
}

export function peakAmplitude(m: Matrix): number {
  let peak = 0
  for (let i = 0; i < m.data.length; i++) peak = Math.max(peak, Math.abs(Number(m.data[i])))
  return peak || 1
}

export function drawUnitWaveforms(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  item: AverageWaveformItem,
  locations: ChannelLocations,
  color: string,
  ampScale: number,
  /** A typical unit's peak: units much smaller are not magnified past a third of it, so their noise does not swamp the cell */
  referencePeak = 0,
): void {
  const placed = placeChannels(item, locations)
  if (placed.length === 0) return
  const dx = minSpacing(placed.map((p) => p.x), 32)
  const dy = minSpacing(placed.map((p) => p.y), 20)
  const peak = Math.max(peakAmplitude(item.waveform), referencePeak / 3)
  // Each trace spans 90% of the horizontal pitch; the unit's peak reaches 1.5 vertical pitches.
  const halfW = dx * 0.45
  const ampPerUnit = ((dy * 1.5) / peak) * ampScale
  // The frame holds every channel's mean trace whole (the trough of the biggest channel included); the
  // shading may reach past it and is clipped.
  const n = item.waveform.cols
  let xmin = Infinity
  let xmax = -Infinity
  let ymin = Infinity
  let ymax = -Infinity
  for (const p of placed) {
    xmin = Math.min(xmin, p.x - halfW)
    xmax = Math.max(xmax, p.x + halfW)
    let lo = 0
    let hi = 0
    for (let k = 0; k < n; k++) {
      const v = Number(item.waveform.data[p.row * n + k]) * ampPerUnit
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    ymin = Math.min(ymin, p.y - dy / 2, p.y + lo - dy * 0.15)
    ymax = Math.max(ymax, p.y + dy / 2, p.y + hi + dy * 0.15)
  }
  const pad = 4
  const sx = (width - 2 * pad) / (xmax - xmin)
  const sy = (height - 2 * pad) / (ymax - ymin)
  const toX = (x: number): number => pad + (x - xmin) * sx
  const toY = (y: number): number => pad + (ymax - y) * sy

  const trace = (m: Matrix, p: ChannelPlacement, sign = 1, spread?: Matrix): void => {
    const base = p.row * n
    for (let k = 0; k < n; k++) {
      const x = toX(p.x - halfW + (2 * halfW * k) / Math.max(1, n - 1))
      const v = Number(m.data[base + k]) + (spread ? sign * Number(spread.data[base + k]) : 0)
      const y = toY(p.y + v * ampPerUnit)
      if (k === 0) ctx.moveTo(x, y)
      else ctx.lineTo(x, y)
    }
  }
  const band = (lower: Matrix, upper: Matrix, p: ChannelPlacement, mean?: Matrix): void => {
    ctx.beginPath()
    if (mean) {
      trace(mean, p, 1, upper)
      const base = p.row * n
      for (let k = n - 1; k >= 0; k--) {
        const x = toX(p.x - halfW + (2 * halfW * k) / Math.max(1, n - 1))
        ctx.lineTo(x, toY(p.y + (Number(mean.data[base + k]) - Number(lower.data[base + k])) * ampPerUnit))
      }
    } else {
      trace(upper, p)
      const base = p.row * n
      for (let k = n - 1; k >= 0; k--) {
        const x = toX(p.x - halfW + (2 * halfW * k) / Math.max(1, n - 1))
        ctx.lineTo(x, toY(p.y + Number(lower.data[base + k]) * ampPerUnit))
      }
    }
    ctx.closePath()
    ctx.fill()
  }

  // Light shading so the mean stays the figure: the outer percentiles (1-99 %) faintest, the inner
  // (25-75 %) or the standard deviation a little darker.
  ctx.save()
  ctx.beginPath()
  ctx.rect(0, 0, width, height)
  ctx.clip()
  ctx.fillStyle = color
  for (const p of placed) {
    if (item.waveformStdDev) {
      ctx.globalAlpha = 0.13
      band(item.waveformStdDev, item.waveformStdDev, p, item.waveform)
    }
    const pct = item.waveformPercentiles
    if (pct && pct.length >= 2) {
      ctx.globalAlpha = pct.length === 4 ? 0.05 : 0.11
      band(pct[0] as Matrix, pct[pct.length - 1] as Matrix, p)
      if (pct.length === 4) {
        ctx.globalAlpha = 0.11
        band(pct[1] as Matrix, pct[2] as Matrix, p)
      }
    }
  }
  ctx.restore()
  ctx.globalAlpha = 1
  ctx.strokeStyle = color
  ctx.lineWidth = 1.4
  ctx.beginPath()
  for (const p of placed) trace(item.waveform, p)
  ctx.stroke()
}
