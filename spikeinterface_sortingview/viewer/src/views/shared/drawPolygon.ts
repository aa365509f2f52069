// Draws a split's polygon over a plot, clipped to the plot area.
import type { Rect } from '../../draw/axes'
import type { Point } from './lasso'

export function drawPolygon(ctx: CanvasRenderingContext2D, screen: readonly Point[], area: Rect): void {
  if (screen.length < 3) return
  ctx.save()
  ctx.beginPath()
  ctx.rect(area.left, area.top, area.width, area.height)
  ctx.clip()
  ctx.beginPath()
  screen.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)))
  ctx.closePath()
  ctx.fillStyle = 'rgba(255, 140, 0, 0.12)'
  ctx.fill()
  ctx.strokeStyle = '#e07000'
  ctx.lineWidth = 1.5
  ctx.setLineDash([4, 3])
  ctx.stroke()
  ctx.restore()
}
