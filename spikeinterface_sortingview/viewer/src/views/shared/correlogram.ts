// Draws one correlogram (bars over time lags in ms) into a small canvas cell.
import { describeCanvas, formatTick, niceTicks } from '../../draw/axes'
import type { Numbers } from '../decode'

export interface Correlogram {
  binEdgesSec: Numbers
  binCounts: Numbers
}

export function drawCorrelogram(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  c: Correlogram,
  color: string,
  showAxis: boolean,
): void {
  const n = c.binCounts.length
  if (n === 0 || c.binEdgesSec.length < n + 1) return
  const axisH = showAxis ? 14 : 0
  const left = 4
  const right = width - 4
  const top = showAxis ? 14 : 4
  const bottom = height - axisH - 2
  const t0 = Number(c.binEdgesSec[0])
  const t1 = Number(c.binEdgesSec[n])
  let maxCount = 0
  for (let i = 0; i < n; i++) maxCount = Math.max(maxCount, Number(c.binCounts[i]))
  const sx = (t: number): number => left + ((t - t0) / (t1 - t0)) * (right - left)
  ctx.fillStyle = color
  if (maxCount > 0) {
    for (let i = 0; i < n; i++) {
      const x0 = sx(Number(c.binEdgesSec[i]))
      const x1 = sx(Number(c.binEdgesSec[i + 1]))
      const h = (Number(c.binCounts[i]) / maxCount) * (bottom - top)
      ctx.fillRect(x0, bottom - h, Math.max(1, x1 - x0 - 0.5), h)
    }
  }
  ctx.strokeStyle = '#999'
  ctx.lineWidth = 1
  ctx.beginPath()
  ctx.moveTo(left, bottom + 0.5)
  ctx.lineTo(right, bottom + 0.5)
  ctx.stroke()
  if (showAxis) {
    ctx.fillStyle = '#666'
    ctx.font = '10px system-ui, sans-serif'
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    // Lags in ms: the unit goes after the last tick, so the cell needs no separate axis title. Labels that would
    // overlap (narrow cells) are dropped, from the right-most one leftwards.
    const ticks = niceTicks(t0 * 1000, t1 * 1000, 4)
    ctx.textAlign = 'left'
    let limit = width - 2
    for (let i = ticks.values.length - 1; i >= 0; i--) {
      const v = ticks.values[i] as number
      const text = formatTick(v, ticks.step) + (i === ticks.values.length - 1 ? ' ms' : '')
      const w = ctx.measureText(text).width
      const x = Math.min(sx(v / 1000) - w / 2, limit - w)
      if (x < 0) break
      ctx.fillText(text, x, bottom + 2)
      limit = x - 6
    }
    // The tallest bar's count, so bars of different cells can be compared.
    ctx.textAlign = 'left'
    ctx.fillText(`max ${Math.round(maxCount)} spikes/bin`, left, 1)
    describeCanvas(ctx, 'axisX', 'lag (ms)')
    describeCanvas(ctx, 'axisY', `count (spikes/bin, max ${Math.round(maxCount)})`)
  }
}

/** The same correlogram seen from the other unit: lags reversed. */
export function mirrored(c: Correlogram): Correlogram {
  const n = c.binCounts.length
  const edges = new Float32Array(n + 1)
  const counts = new Float32Array(n)
  for (let i = 0; i <= n; i++) edges[i] = -Number(c.binEdgesSec[n - i])
  for (let i = 0; i < n; i++) counts[i] = Number(c.binCounts[n - 1 - i])
  return { binEdgesSec: edges, binCounts: counts }
}
