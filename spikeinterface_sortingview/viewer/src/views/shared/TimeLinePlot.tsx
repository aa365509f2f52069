// A zoomable time plot of line, marker and interval series (used by TimeseriesGraph and PositionPlot).
import { useCallback, useMemo, useState } from 'react'
import { drawXAxis, drawYAxis, extent, formatValue, lowerBound } from '../../draw/axes'
import { useCanvasDraw } from '../../draw/canvas'
import { useFigure } from '../../figure/FigureContext'
import type { Numbers } from '../decode'
import { recordFrame } from './framePerf'
import { HoverReadout } from './HoverReadout'
import { TimeToolbar } from './TimeToolbar'
import { useTimeNavigation } from './useTimeNavigation'

export interface PlotSeries {
  type: 'line' | 'marker' | 'interval'
  t: Numbers
  y: Numbers
  color: string
  width?: number
  dash?: number[]
  radius?: number
  shape?: string
  title: string
}

export interface TimeLinePlotProps {
  series: PlotSeries[]
  width: number
  height: number
  yRange?: [number, number]
  legendLocation?: string
  hideXGrid?: boolean
  hideYGrid?: boolean
  timeLabel?: string
}

const MARGIN = { left: 64, right: 14, top: 26, bottom: 40 }

function isAscending(t: Numbers): boolean {
  for (let i = 1; i < t.length; i++) if ((t[i] as number) < (t[i - 1] as number)) return false
  return true
}

export function TimeLinePlot({ series, width, height, yRange, legendLocation, hideXGrid, hideYGrid, timeLabel = 'time (s)' }: TimeLinePlotProps) {
  const { timeRange } = useFigure()
  const [hover, setHover] = useState<string>()
  const prepared = useMemo(() => series.map((s) => ({ ...s, sorted: isAscending(s.t) })), [series])
  const bounds = useMemo(() => {
    const [start, end] = extent(series.map((s) => s.t))
    return { start, end }
  }, [series])
  const [ymin, ymax] = useMemo(() => {
    if (yRange) return yRange
    const [lo, hi] = extent(series.filter((s) => s.type !== 'interval').map((s) => s.y))
    const pad = (hi - lo) * 0.05
    return [lo - pad, hi + pad]
  }, [series, yRange])
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right)
  const plotH = Math.max(10, height - MARGIN.top - MARGIN.bottom)

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const t0 = performance.now()
      const r = timeRange.get() ?? bounds
      const area = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }
      drawXAxis(ctx, area, r.start, r.end, timeLabel, !hideXGrid)
      drawYAxis(ctx, area, ymin, ymax, undefined, !hideYGrid)
      const sx = (t: number): number => MARGIN.left + ((t - r.start) / (r.end - r.start)) * plotW
      const sy = (v: number): number => MARGIN.top + plotH - ((v - ymin) / (ymax - ymin)) * plotH
      ctx.save()
      ctx.beginPath()
      ctx.rect(MARGIN.left, MARGIN.top, plotW, plotH)
      ctx.clip()
      for (const s of prepared) {
        // Only the visible part (plus one point each side so lines reach the edges).
        const i0 = s.sorted ? Math.max(0, lowerBound(s.t, r.start) - 1) : 0
        const i1 = s.sorted ? Math.min(s.t.length, lowerBound(s.t, r.end) + 1) : s.t.length
        ctx.strokeStyle = s.color
        ctx.fillStyle = s.color
        if (s.type === 'interval') {
          ctx.globalAlpha = 0.25
          for (let i = i0 - (i0 % 2); i + 1 < i1 + 1 && i + 1 < s.t.length; i += 2) {
            const x0 = sx(s.t[i] as number)
            ctx.fillRect(x0, MARGIN.top, Math.max(1, sx(s.t[i + 1] as number) - x0), plotH)
          }
          ctx.globalAlpha = 1
        } else if (s.type === 'line') {
          ctx.lineWidth = s.width ?? 1
          ctx.setLineDash(s.dash ?? [])
          drawDecimatedLine(ctx, s.t, s.y, i0, i1, sx, sy)
          ctx.setLineDash([])
        } else {
          const rad = s.radius ?? 2
          let lastX = NaN
          let lastY = NaN
          ctx.beginPath()
          for (let i = i0; i < i1; i++) {
            const x = Math.round(sx(s.t[i] as number))
            const y = Math.round(sy(s.y[i] as number))
            if (x === lastX && y === lastY) continue // same pixel: drawn already
            lastX = x
            lastY = y
            if (s.shape === 'square') ctx.rect(x - rad, y - rad, 2 * rad, 2 * rad)
            else {
              ctx.moveTo(x + rad, y)
              ctx.arc(x, y, rad, 0, 2 * Math.PI)
            }
          }
          ctx.fill()
        }
      }
      ctx.restore()
      drawLegend(ctx, prepared, legendLocation ?? 'northeast', { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH })
      recordFrame('TimeLinePlot', performance.now() - t0)
    },
    [prepared, timeRange, bounds, plotW, plotH, ymin, ymax, legendLocation, hideXGrid, hideYGrid, timeLabel],
  )
  const { canvasRef, requestDraw } = useCanvasDraw(draw, width, height, [draw])
  const nav = useTimeNavigation({
    targetRef: canvasRef,
    bounds,
    plotLeft: MARGIN.left,
    plotWidth: plotW,
    onRangeChange: requestDraw,
    onHover: (pos) => {
      if (!pos || pos.x < MARGIN.left || pos.y > MARGIN.top + plotH) return setHover(undefined)
      const r = nav.getRange()
      const t = r.start + ((pos.x - MARGIN.left) / plotW) * (r.end - r.start)
      const v = ymax - ((pos.y - MARGIN.top) / plotH) * (ymax - ymin)
      setHover(`t = ${formatValue(t)} s · y = ${formatValue(v)}`)
    },
  })
  return (
    <div className="time-plot">
      <canvas ref={canvasRef} className="interactive-canvas" />
      <TimeToolbar zoom={nav.zoom} reset={nav.reset} />
      <HoverReadout text={hover} />
    </div>
  )
}

/**
 * Lines with more points than pixels are drawn as one vertical min-max stroke per pixel
 * column, which looks the same and keeps drawing time proportional to the width.
 */
function drawDecimatedLine(
  ctx: CanvasRenderingContext2D,
  t: Numbers,
  y: Numbers,
  i0: number,
  i1: number,
  sx: (t: number) => number,
  sy: (v: number) => number,
): void {
  ctx.beginPath()
  let col = NaN
  let lo = 0
  let hi = 0
  let first = true
  const flush = (): void => {
    if (Number.isNaN(col)) return
    if (first) {
      ctx.moveTo(col, lo)
      first = false
    } else ctx.lineTo(col, lo)
    if (hi !== lo) ctx.lineTo(col, hi)
  }
  for (let i = i0; i < i1; i++) {
    const v = y[i] as number
    if (!Number.isFinite(v)) {
      flush()
      col = NaN
      first = true // a gap (NaN) breaks the line
      continue
    }
    const x = Math.round(sx(t[i] as number))
    const py = sy(v)
    if (x !== col) {
      flush()
      col = x
      lo = py
      hi = py
    } else {
      lo = Math.min(lo, py)
      hi = Math.max(hi, py)
    }
  }
  flush()
  ctx.stroke()
}

function drawLegend(
  ctx: CanvasRenderingContext2D,
  series: PlotSeries[],
  location: string,
  area: { left: number; top: number; width: number; height: number },
): void {
  const items = series.filter((s) => s.title)
  if (items.length === 0) return
  ctx.save()
  ctx.font = '11px system-ui, sans-serif'
  const w = Math.max(...items.map((s) => ctx.measureText(s.title).width)) + 30
  const h = items.length * 16 + 6
  const x = location.includes('west') ? area.left + 8 : area.left + area.width - w - 8
  const y = location.includes('south') ? area.top + area.height - h - 8 : area.top + 8
  ctx.fillStyle = 'rgba(255,255,255,0.85)'
  ctx.strokeStyle = '#ccc'
  ctx.fillRect(x, y, w, h)
  ctx.strokeRect(x + 0.5, y + 0.5, w, h)
  items.forEach((s, i) => {
    const yy = y + 11 + i * 16
    ctx.fillStyle = s.color
    ctx.fillRect(x + 6, yy - 4, 14, s.type === 'line' ? 2 : 8)
    ctx.fillStyle = '#333'
    ctx.textBaseline = 'middle'
    ctx.fillText(s.title, x + 24, yy)
  })
  ctx.restore()
}
