// DecodedLinearPositionData: decoded probability of a linear position over time as a heat map (time on x,
// position on y, viridis), the observed position drawn over it; it pans and zooms with the figure's time window.
import { useCallback, useMemo, useState } from 'react'
import { describeCanvas, drawXAxis, drawYAxis, formatTick, formatValue } from '../../draw/axes'
import { colorToPixel, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { viridis } from '../../draw/colorScale'
import { useFigure } from '../../figure/FigureContext'
import { numbers, optNum, optNumbers, type Numbers, ViewDataError } from '../decode'
import { recordFrame } from '../shared/framePerf'
import { HoverReadout } from '../shared/HoverReadout'
import { TimeToolbar } from '../shared/TimeToolbar'
import { useTimeNavigation } from '../shared/useTimeNavigation'
import { defineView, type ViewProps } from '../viewDefinition'
import { binEdges, columnMaxima, type SparseFrames, sparseFrames } from './sparseFrames'

// sortingview's reader assumes this many frames per second when a figure does not say.
const DEFAULT_SAMPLING_FREQUENCY_HZ = 1000
// The margins of the other time plots (TimeLinePlot), so that stacked timelines line up; the colour scale
// sits in the top margin.
const MARGIN = { left: 64, right: 14, top: 26, bottom: 40 }
const OBSERVED_COLOR = 'rgba(255, 59, 59, 0.9)'
// A jump of more than this share of the track between two frames is not joined by a line
// (the linearized track's segments meet there, the animal did not cross the gap).
const MAX_JOINED_JUMP = 0.1

export interface DecodedLinearPositionDataData {
  frames: SparseFrames
  positionsKey: Numbers
  /** Position-bin edges (one more than positionsKey), ascending */
  edges: Float64Array
  observedPositions?: Numbers
  startTimeSec: number
  samplingFrequencyHz: number
  /** The largest value (0..255): the top of the colour scale, so that a spread-out posterior still shows */
  maxValue: number
}

export function decodeDecodedLinearPositionData(raw: Record<string, unknown>): DecodedLinearPositionDataData {
  const positionsKey = numbers(raw.positionsKey, 'positionsKey')
  if (positionsKey.length === 0) throw new ViewDataError('positionsKey has no position bins')
  for (let i = 1; i < positionsKey.length; i++) {
    if (!((positionsKey[i] as number) > (positionsKey[i - 1] as number))) throw new ViewDataError('positionsKey should be ascending')
  }
  const frames = sparseFrames(numbers(raw.values, 'values'), numbers(raw.positions, 'positions'), numbers(raw.frameBounds, 'frameBounds'), 'DecodedLinearPositionData')
  const observedPositions = optNumbers(raw.observedPositions, 'observedPositions')
  if (observedPositions && observedPositions.length !== frames.numFrames) {
    throw new ViewDataError(`observedPositions has ${observedPositions.length} entries but there are ${frames.numFrames} frames`)
  }
  const fs = optNum(raw.samplingFrequencyHz)
  let maxValue = 1
  for (let i = 0; i < frames.values.length; i++) if ((frames.values[i] as number) > maxValue) maxValue = frames.values[i] as number
  const data: DecodedLinearPositionDataData = {
    frames,
    positionsKey,
    edges: binEdges(positionsKey),
    startTimeSec: optNum(raw.startTimeSec) ?? 0,
    samplingFrequencyHz: fs !== undefined && fs > 0 ? fs : DEFAULT_SAMPLING_FREQUENCY_HZ,
    maxValue: Math.min(255, maxValue),
  }
  if (observedPositions) data.observedPositions = observedPositions
  return data
}

/** One packed pixel per value 0..255: viridis from 0 to `maxValue` (values above it are clipped). */
function palette(maxValue: number): Uint32Array {
  return Uint32Array.from({ length: 256 }, (_, v) => colorToPixel(viridis(v / maxValue)))
}

function DecodedLinearPositionView({ data, width, height }: ViewProps<DecodedLinearPositionDataData>) {
  const { timeRange } = useFigure()
  const [hover, setHover] = useState<string>()
  const [showObserved, setShowObserved] = useState(true)
  const { frames, edges, startTimeSec: start, samplingFrequencyHz: fs } = data
  const numBins = data.positionsKey.length
  const colors = useMemo(() => palette(data.maxValue), [data.maxValue])
  const bounds = useMemo(() => ({ start, end: start + frames.numFrames / fs }), [start, frames.numFrames, fs])
  const yMin = edges[0] as number
  const yMax = edges[numBins] as number
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right)
  const plotH = Math.max(10, height - MARGIN.top - MARGIN.bottom)

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const t0 = performance.now()
      const r = timeRange.get() ?? bounds
      const dpr = window.devicePixelRatio || 1
      const left = Math.round(MARGIN.left * dpr)
      const top = Math.round(MARGIN.top * dpr)
      const cols = Math.max(1, Math.round(plotW * dpr))
      const rows = Math.max(1, Math.round(plotH * dpr))
      // Frame position (in frames from the first) of the left edge, and frames per device pixel.
      const firstFrame = (r.start - start) * fs
      const framesPerPixel = ((r.end - r.start) * fs) / cols
      // Aggregate at most one grid column per pixel; when zoomed in past one frame per pixel, one per frame.
      const gridFirst = framesPerPixel >= 1 ? firstFrame : Math.floor(firstFrame)
      const gridStep = Math.max(1, framesPerPixel)
      const gridCols = Math.ceil((framesPerPixel * cols) / gridStep) + 1
      const grid = columnMaxima(frames, numBins, gridFirst, gridStep, gridCols)
      const rowBin = new Int32Array(rows)
      for (let y = 0; y < rows; y++) {
        const v = yMax - ((y + 0.5) / rows) * (yMax - yMin)
        rowBin[y] = Math.min(numBins - 1, upperBin(edges, v))
      }
      const buffer = PixelBuffer.for(ctx)
      for (let x = 0; x < cols; x++) {
        const f = firstFrame + (x + 0.5) * framesPerPixel
        if (f < 0 || f >= frames.numFrames) continue
        const c = Math.floor((f - gridFirst) / gridStep)
        if (c < 0 || c >= gridCols) continue
        const base = c * numBins
        for (let y = 0; y < rows; y++) {
          const bin = rowBin[y] as number
          if (bin < 0) continue
          buffer.pixels[(top + y) * buffer.width + left + x] = colors[grid[base + bin] as number] as number
        }
      }
      buffer.put(ctx)
      const area = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }
      drawXAxis(ctx, area, r.start, r.end, 'time (s)')
      drawYAxis(ctx, area, yMin, yMax, 'position')
      if (showObserved && data.observedPositions) drawObserved(ctx, data.observedPositions, area, r, start, fs, yMin, yMax)
      drawColorLegend(ctx, Math.max(MARGIN.left, MARGIN.left + plotW - (data.observedPositions ? 450 : 320)), data.maxValue / 255)
      recordFrame('DecodedLinearPositionData', performance.now() - t0)
    },
    [timeRange, bounds, plotW, plotH, start, fs, frames, numBins, edges, yMin, yMax, showObserved, data.observedPositions, data.maxValue, colors],
  )
  const { canvasRef, requestDraw } = useCanvasDraw(draw, width, height, [draw])
  const nav = useTimeNavigation({
    targetRef: canvasRef,
    bounds,
    plotLeft: MARGIN.left,
    plotWidth: plotW,
    onRangeChange: requestDraw,
    onHover: (pos) => {
      if (!pos || pos.x < MARGIN.left || pos.x > MARGIN.left + plotW || pos.y < MARGIN.top || pos.y > MARGIN.top + plotH) return setHover(undefined)
      const r = nav.getRange()
      const t = r.start + ((pos.x - MARGIN.left) / plotW) * (r.end - r.start)
      const p = yMax - ((pos.y - MARGIN.top) / plotH) * (yMax - yMin)
      const frame = Math.floor((t - start) * fs)
      const bin = Math.min(numBins - 1, upperBin(edges, p))
      let prob = 0
      if (frame >= 0 && frame < frames.numFrames) {
        for (let i = frames.starts[frame] as number; i < (frames.starts[frame + 1] as number); i++) {
          if (frames.bins[i] === bin) prob = (frames.values[i] as number) / 255
        }
      }
      const observed = data.observedPositions && frame >= 0 && frame < frames.numFrames ? ` · observed ${formatValue(data.observedPositions[frame] as number)}` : ''
      setHover(`t = ${formatValue(t)} s · position ${formatValue(data.positionsKey[bin] as number)} · p = ${prob.toFixed(3)}${observed}`)
    },
  })
  return (
    <div className="time-plot">
      <canvas ref={canvasRef} className="interactive-canvas" />
      <TimeToolbar zoom={nav.zoom} reset={nav.reset} />
      {data.observedPositions && (
        <label className="decoded-observed-toggle" style={{ position: 'absolute', top: 3, right: 110, fontSize: 11 }}>
          <input type="checkbox" checked={showObserved} onChange={(e) => setShowObserved(e.target.checked)} data-testid="observed-position-toggle" /> observed
          position
        </label>
      )}
      <HoverReadout text={hover} />
    </div>
  )
}

/** A horizontal colour scale in the top margin: "probability 0 [viridis] max"; recorded as data-color-scale. */
function drawColorLegend(ctx: CanvasRenderingContext2D, left: number, max: number): void {
  const barW = 100
  const barX = left + 70
  ctx.save()
  for (let i = 0; i < barW; i++) {
    ctx.fillStyle = viridis(i / (barW - 1))
    ctx.fillRect(barX + i, 8, 1.5, 10)
  }
  ctx.fillStyle = '#444'
  ctx.font = '11px system-ui, sans-serif'
  ctx.textBaseline = 'middle'
  ctx.textAlign = 'right'
  ctx.fillText('probability 0', barX - 4, 13)
  ctx.textAlign = 'left'
  const top = formatTick(max, max / 10)
  ctx.fillText(top, barX + barW + 4, 13)
  ctx.restore()
  describeCanvas(ctx, 'colorScale', `0..${top} probability`)
}

/** The bin whose edges hold `v` (edges ascending); -1 outside them. */
function upperBin(edges: Float64Array, v: number): number {
  if (!(v >= (edges[0] as number)) || v > (edges[edges.length - 1] as number)) return -1
  let lo = 0
  let hi = edges.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1
    if ((edges[mid] as number) <= v) lo = mid
    else hi = mid
  }
  return lo
}

/** The observed position as a line, one min-max stroke per pixel column; gaps at NaN and at jumps between track segments. */
function drawObserved(
  ctx: CanvasRenderingContext2D,
  observed: Numbers,
  area: { left: number; top: number; width: number; height: number },
  r: { start: number; end: number },
  start: number,
  fs: number,
  yMin: number,
  yMax: number,
): void {
  const f0 = Math.max(0, Math.floor((r.start - start) * fs) - 1)
  const f1 = Math.min(observed.length, Math.ceil((r.end - start) * fs) + 1)
  const sx = (f: number): number => area.left + ((start + (f + 0.5) / fs - r.start) / (r.end - r.start)) * area.width
  const sy = (v: number): number => area.top + area.height - ((v - yMin) / (yMax - yMin)) * area.height
  const maxJump = MAX_JOINED_JUMP * (yMax - yMin)
  ctx.save()
  ctx.beginPath()
  ctx.rect(area.left, area.top, area.width, area.height)
  ctx.clip()
  ctx.strokeStyle = OBSERVED_COLOR
  // Thinner when many frames share a pixel, so that the heat map still shows between the strokes.
  ctx.lineWidth = (f1 - f0) / area.width > 4 ? 0.75 : 1.5
  ctx.lineJoin = 'round'
  ctx.beginPath()
  // Within a pixel column only the extent of the values is drawn, so the cost follows the width.
  let prev = NaN
  let col = NaN
  let lo = 0
  let hi = 0
  let lastY = 0
  const flush = (): void => {
    if (Number.isFinite(col) && hi > lo) {
      ctx.lineTo(col, lo)
      ctx.lineTo(col, hi)
      ctx.lineTo(col, lastY)
    }
  }
  for (let f = f0; f < f1; f++) {
    const v = observed[f] as number
    if (!Number.isFinite(v)) {
      flush()
      col = NaN
      prev = NaN
      continue
    }
    const x = Math.round(sx(f))
    const y = sy(v)
    const joined = Number.isFinite(prev) && Math.abs(v - prev) <= maxJump
    if (joined && x === col) {
      lo = Math.min(lo, y)
      hi = Math.max(hi, y)
    } else {
      flush()
      if (joined) ctx.lineTo(x, y)
      else ctx.moveTo(x, y)
      col = x
      lo = y
      hi = y
    }
    lastY = y
    prev = v
  }
  flush()
  ctx.stroke()
  ctx.restore()
}

export const decodedLinearPositionDataView = defineView(decodeDecodedLinearPositionData, DecodedLinearPositionView, { showsSelection: false })
