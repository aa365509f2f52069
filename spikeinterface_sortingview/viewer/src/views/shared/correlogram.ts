// Draws one correlogram (bars over time lags in ms) into a small canvas cell.
import { niceTicks, formatTick } from '../../draw/axes'
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
  const top = 4
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
    const ticks = niceTicks(t0 * 1000, t1 * 1000, 4)
    for (const v of ticks.values) ctx.fillText(formatTick(v, ticks.step), sx(v / 1000), bottom + 2)
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
