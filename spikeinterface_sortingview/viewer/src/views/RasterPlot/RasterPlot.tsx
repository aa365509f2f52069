// RasterPlot: one row of spike ticks per unit over a zoomable, pannable time axis.
import { useCallback, useMemo, useState } from 'react'
import { drawXAxis, formatValue, lowerBound } from '../../draw/axes'
import { colorToPixel, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { list, num, type Numbers, numbers, rec, unitId } from '../decode'
import { HoverReadout } from '../shared/HoverReadout'
import { ensureSorted } from '../shared/spikeTrains'
import { TimeToolbar } from '../shared/TimeToolbar'
import { useTimeNavigation } from '../shared/useTimeNavigation'
import { useUnitClick } from '../shared/useUnitClick'
import { recordFrame } from '../shared/framePerf'
import { defineView, type ViewProps } from '../viewDefinition'

export interface RasterPlotData {
  startTimeSec: number
  endTimeSec: number
  plots: { unitId: UnitId; spikeTimesSec: Numbers }[]
}

export function decodeRasterPlot(raw: Record<string, unknown>): RasterPlotData {
  const plots = list(raw.plots, 'plots').map((x, i) => {
    const r = rec(x, `plots[${i}]`)
    return {
      unitId: unitId(r.unitId, `plots[${i}].unitId`),
      spikeTimesSec: ensureSorted(numbers(r.spikeTimesSec, `plots[${i}].spikeTimesSec`)).times,
    }
  })
  return { startTimeSec: num(raw.startTimeSec, 'startTimeSec'), endTimeSec: num(raw.endTimeSec, 'endTimeSec'), plots }
}

const MARGIN = { left: 60, right: 12, top: 26, bottom: 40 }
const MAX_TICK_PX = 14
const SELECTED_BAND = colorToPixel('#dbe8ff')
const SELECTED_MARK = colorToPixel('#1f2328')

function RasterPlotView({ data, width, height }: ViewProps<RasterPlotData>) {
  const { unitOrder, timeRange } = useFigure()
  const selected = useSelection()
  const [hover, setHover] = useState<string>()
  const rows = useMemo(() => {
    const byKey = new Map(data.plots.map((p) => [String(p.unitId), p]))
    return unitOrder.sort(data.plots.map((p) => p.unitId)).map((id) => byKey.get(String(id)) ?? { unitId: id, spikeTimesSec: [] })
  }, [data, unitOrder])
  const bounds = useMemo(() => ({ start: data.startTimeSec, end: data.endTimeSec }), [data])
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right)
  const plotH = Math.max(10, height - MARGIN.top - MARGIN.bottom)
  const rowH = plotH / Math.max(1, rows.length)

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const t0 = performance.now()
      const range = timeRange.get() ?? bounds
      const dpr = window.devicePixelRatio || 1
      const buf = PixelBuffer.for(ctx)
      // Time -> device-pixel column as one multiply-add; consecutive spikes in one column are drawn once,
      // so a zoomed-out view of millions of spikes costs one pass and at most width marks per row.
      const k = (plotW * dpr) / (range.end - range.start)
      const a = MARGIN.left * dpr - range.start * k
      const gap = rowH * dpr >= 4 ? 1 : 0
      rows.forEach((row, r) => {
        const rowTop = Math.round((MARGIN.top + r * rowH) * dpr)
        const rowBottom = Math.round((MARGIN.top + (r + 1) * rowH) * dpr)
        if (isSelected(selected, row.unitId)) {
          // A band behind the row, and a mark in the margin that stays visible when rows are thin.
          buf.fillRect(MARGIN.left * dpr, rowTop, plotW * dpr, rowBottom - rowTop, SELECTED_BAND)
          buf.fillRect((MARGIN.left - 4) * dpr, rowTop - dpr, 3 * dpr, rowBottom - rowTop + 2 * dpr, SELECTED_MARK)
        }
        // Tall rows get ticks of a fixed height, centred, so the row band (selection) stays visible.
        const tick = Math.min(rowBottom - rowTop - gap, Math.round(MAX_TICK_PX * dpr))
        const y0 = rowTop + Math.floor((rowBottom - rowTop - gap - tick) / 2)
        const y1 = Math.max(y0 + 1, y0 + tick)
        const pixel = colorToPixel(unitOrder.color(row.unitId))
        const t = row.spikeTimesSec
        const i1 = lowerBound(t, range.end)
        let lastX = -1
        for (let i = lowerBound(t, range.start); i < i1; i++) {
          const x = (a + (t[i] as number) * k) | 0
          if (x === lastX) continue
          lastX = x
          buf.fillRect(x, y0, 1, y1 - y0, pixel)
        }
      })
      buf.put(ctx)
      drawXAxis(ctx, { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }, range.start, range.end, 'time (s)')
      drawUnitLabels(ctx, rows.map((r) => r.unitId), rowH, (id) => unitOrder.color(id))
      recordFrame('RasterPlot', performance.now() - t0)
    },
    [rows, selected, unitOrder, timeRange, bounds, plotW, plotH, rowH],
  )
  const { canvasRef, requestDraw } = useCanvasDraw(draw, width, height, [draw])

  const onUnitClick = useUnitClick()
  const unitAt = (y: number): UnitId | undefined => rows[Math.floor((y - MARGIN.top) / rowH)]?.unitId
  const nav = useTimeNavigation({
    targetRef: canvasRef,
    bounds,
    plotLeft: MARGIN.left,
    plotWidth: plotW,
    onRangeChange: requestDraw,
    onClick: (_x, y, e) => {
      const id = unitAt(y)
      if (id !== undefined) onUnitClick(id, e)
    },
    onHover: (pos) => {
      if (!pos || pos.x < MARGIN.left || pos.y > MARGIN.top + plotH) return setHover(undefined)
      const range = nav.getRange()
      const t = range.start + ((pos.x - MARGIN.left) / plotW) * (range.end - range.start)
      const id = unitAt(pos.y)
      setHover(`${id !== undefined ? `unit ${id} · ` : ''}t = ${formatValue(t)} s`)
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

/** Unit ids beside the rows; when rows are too thin for every label, every n-th one. */
function drawUnitLabels(ctx: CanvasRenderingContext2D, ids: UnitId[], rowH: number, color: (id: UnitId) => string): void {
  const every = Math.max(1, Math.ceil(11 / rowH))
  ctx.save()
  ctx.font = '10px system-ui, sans-serif'
  ctx.textAlign = 'right'
  ctx.textBaseline = 'middle'
  ids.forEach((id, r) => {
    if (r % every !== 0) return
    ctx.fillStyle = color(id)
    ctx.fillText(String(id), MARGIN.left - 8, MARGIN.top + (r + 0.5) * rowH)
  })
  ctx.restore()
}

export const rasterPlotView = defineView(decodeRasterPlot, RasterPlotView, { showsSelection: true })
