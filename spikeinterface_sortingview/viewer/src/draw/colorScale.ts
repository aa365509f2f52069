// A sequential colour map (viridis: readable in grey and by most colour-blind readers) and its colour bar.
import { describeCanvas, formatTick, niceTicks, type Rect } from './axes'

// Viridis sampled at 9 evenly spaced points; colours between them are interpolated linearly.
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
]

/** The viridis colour of `t` in [0, 1] (clamped), as an rgb() string. */
export function viridis(t: number): string {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1)
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x))
  const f = x - i
  const a = VIRIDIS[i] as [number, number, number]
  const b = VIRIDIS[i + 1] as [number, number, number]
  const mix = (k: 0 | 1 | 2): number => Math.round(a[k] + (b[k] - a[k]) * f)
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`
}

/** A vertical colour bar with ticks and a label, for values min..max; recorded as the canvas's data-color-scale. */
export function drawColorBar(ctx: CanvasRenderingContext2D, bar: Rect, min: number, max: number, label: string): void {
  const steps = Math.max(2, Math.round(bar.height))
  for (let i = 0; i < steps; i++) {
    ctx.fillStyle = viridis(1 - i / (steps - 1))
    ctx.fillRect(bar.left, bar.top + (i * bar.height) / steps, bar.width, bar.height / steps + 1)
  }
  ctx.save()
  ctx.strokeStyle = '#888'
  ctx.lineWidth = 1
  ctx.strokeRect(bar.left + 0.5, bar.top + 0.5, bar.width - 1, bar.height - 1)
  ctx.fillStyle = '#444'
  ctx.font = '11px system-ui, sans-serif'
  ctx.textAlign = 'left'
  ctx.textBaseline = 'middle'
  const ticks = niceTicks(min, max, Math.max(2, Math.floor(bar.height / 50)))
  for (const v of ticks.values) {
    const y = Math.round(bar.top + bar.height - ((v - min) / (max - min)) * bar.height) + 0.5
    ctx.beginPath()
    ctx.moveTo(bar.left + bar.width, y)
    ctx.lineTo(bar.left + bar.width + 4, y)
    ctx.stroke()
    ctx.fillText(formatTick(v, ticks.step), bar.left + bar.width + 6, y)
  }
  ctx.translate(bar.left + bar.width + 44, bar.top + bar.height / 2)
  ctx.rotate(-Math.PI / 2)
  ctx.textAlign = 'center'
  ctx.fillText(label, 0, 0)
  ctx.restore()
  describeCanvas(ctx, 'colorScale', `${formatTick(min, ticks.step)}..${formatTick(max, ticks.step)} ${label}`)
}
