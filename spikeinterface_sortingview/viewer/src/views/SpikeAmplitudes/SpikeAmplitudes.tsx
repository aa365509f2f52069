// SpikeAmplitudes: amplitude of every spike over time, per unit colour, sharing the time window.
import { useCallback, useMemo, useRef, useState } from 'react'
import { drawXAxis, drawYAxis, formatValue } from '../../draw/axes'
import { colorToPixel, fadeColor, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { useMergeGroups, useSplits } from '../../figure/curationHooks'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { type DrawnPart, partOfSpikes, partsByUnit } from '../../state/splitParts'
import { isSelected } from '../../state/selection'
import { type UnitId, unitKey } from '../../state/units'
import { list, num, type Numbers, numbers, optList, optNumbers, optStr, rec, unitId } from '../decode'
import { recordFrame } from '../shared/framePerf'
import { type Point, pointInPolygon } from '../shared/lasso'
import { LassoOverlay } from '../shared/LassoOverlay'
import { PART_COLORS, SplitControls, SplitPreviewPanel } from '../shared/SplitPreview'
import type { SplitSource } from '../shared/splitRequest'
import { drawPolygon } from '../shared/drawPolygon'
import { useSplit } from '../shared/useSplit'
import { HoverReadout } from '../shared/HoverReadout'
import { ensureSorted, robustRange } from '../shared/spikeTrains'
import { TimeToolbar } from '../shared/TimeToolbar'
import { useTimeNavigation } from '../shared/useTimeNavigation'
import { useUnitClick } from '../shared/useUnitClick'
import { defineView, type ViewProps } from '../viewDefinition'
import { decodeNdarrays } from '../../protocol/ndarray'
import { isRecord } from '../../protocol/messages'
import {
  type ChunkEntry,
  ChunkCache,
  chunksForWindow,
  decodeBinaryChunk,
  decodeChunk,
  decodeChunkEntries,
  isBinaryChunk,
  type Run,
  runRange,
  windowRuns,
} from './amplitudeChunks'

interface AmplitudeSeries {
  unitId: UnitId
  /** Position in the view's units: how chunk files name the unit */
  index: number
  spikeTimesSec: Numbers
  spikeAmplitudes: Numbers
  /** This project's extension: each drawn spike's position in the unit's train, to draw a split unit's parts */
  spikeIndices?: Numbers
}

export interface SpikeAmplitudesData {
  startTimeSec: number
  endTimeSec: number
  units: AmplitudeSeries[]
  hideUnitSelector: boolean
  /** This project's levels of detail: every spike in time chunks, `units` then hold an overview */
  chunks?: ChunkEntry[]
  /** This project's extension: the shared sorting and every spike's amplitude, to split units */
  sortingUri?: string
  spikeFeaturesUri?: string
  recordingUri?: string
}

export function decodeSpikeAmplitudes(raw: Record<string, unknown>): SpikeAmplitudesData {
  // sortingview writes `units`; some older writers used `plots`.
  const entries = raw.units !== undefined ? list(raw.units, 'units') : optList(raw.plots, 'plots')
  const units = entries.map((x, i): AmplitudeSeries => {
    const p = `units[${i}]`
    const r = rec(x, p)
    const times = numbers(r.spikeTimesSec, `${p}.spikeTimesSec`)
    const amps = numbers(r.spikeAmplitudes, `${p}.spikeAmplitudes`)
    if (amps.length !== times.length) throw new Error(`${p}: ${times.length} spike times but ${amps.length} amplitudes`)
    const positions = optNumbers(r.spikeIndices, `${p}.spikeIndices`)
    if (positions && positions.length !== times.length) throw new Error(`${p}: ${times.length} spike times but ${positions.length} spikeIndices`)
    const s = ensureSorted(times, positions ? [amps, positions] : [amps])
    const series: AmplitudeSeries = { unitId: unitId(r.unitId, `${p}.unitId`), index: i, spikeTimesSec: s.times, spikeAmplitudes: s.companions[0] ?? amps }
    if (positions) series.spikeIndices = s.companions[1] ?? positions
    return series
  })
  const data: SpikeAmplitudesData = {
    startTimeSec: num(raw.startTimeSec, 'startTimeSec'),
    endTimeSec: num(raw.endTimeSec, 'endTimeSec'),
    units,
    hideUnitSelector: raw.hideUnitSelector === true,
  }
  const sortingUri = optStr(raw.sortingUri)
  const spikeFeaturesUri = optStr(raw.spikeFeaturesUri)
  const recordingUri = optStr(raw.recordingUri)
  const chunks = decodeChunkEntries(raw.chunks)
  if (chunks) data.chunks = chunks
  if (sortingUri) data.sortingUri = sortingUri
  if (spikeFeaturesUri) data.spikeFeaturesUri = spikeFeaturesUri
  if (recordingUri) data.recordingUri = recordingUri
  return data
}

/** Where a split of this view gets every spike's amplitude: the shared sorting and spike features. */
function splitSource(data: SpikeAmplitudesData): SplitSource | undefined {
  if (!data.sortingUri || !data.spikeFeaturesUri) return undefined
  const source: SplitSource = { sortingUri: data.sortingUri, feature: 'amplitudes', spikeFeaturesUri: data.spikeFeaturesUri }
  if (data.recordingUri) source.recordingUri = data.recordingUri
  return source
}

const MARGIN = { left: 64, right: 12, top: 26, bottom: 40 }
// SpikeInterface's spike amplitudes are in µV (the analyzer scales traces to µV whenever the recording has gains).
const AMPLITUDE_LABEL = 'amplitude (µV)'

/** Which spikes are drawn: every spike of the view inline, the overview (chunks not loaded or too many), or chunks. */
export type AmplitudeLevel = 'inline' | 'overview' | 'chunks'

/** The window's runs: the whole window from the inline spikes, or from chunks where they are loaded. */
// A unit without spikes in a chunk: typed like the others, so that the drawing loops see one array type.
const NO_SPIKES = new Float32Array(0)

/** Every unit drawn pale in one window: what it was drawn for, and its pixels. */
interface FadedLayer {
  key: { palette: readonly unknown[]; runs: readonly Run[]; width: number; height: number; ax: number; kx: number; ay: number; ky: number }
  pixels: Uint32Array
}

function sameLayer(a: FadedLayer['key'], b: FadedLayer['key']): boolean {
  if (a.palette !== b.palette || a.width !== b.width || a.height !== b.height || a.ax !== b.ax || a.kx !== b.kx || a.ay !== b.ay || a.ky !== b.ky) return false
  // the runs of a window are new objects on every draw: equal when they cover the same spans from the same chunks
  return a.runs.length === b.runs.length && a.runs.every((r, i) => r.start === b.runs[i]?.start && r.end === b.runs[i]?.end && r.chunk === b.runs[i]?.chunk)
}

function drawnRuns(data: SpikeAmplitudesData, cache: ChunkCache | undefined, start: number, end: number): { runs: Run[]; level: AmplitudeLevel } {
  if (!data.chunks || !cache) return { runs: [{ start, end }], level: 'inline' }
  const needed = chunksForWindow(data.chunks, start, end)
  if (!needed) return { runs: [{ start, end }], level: 'overview' }
  // the chunks beside the window too, so that a pan finds them loaded
  const first = data.chunks.indexOf(needed[0] as ChunkEntry)
  const around = [data.chunks[first - 1], ...needed, data.chunks[first + needed.length]].filter((c): c is ChunkEntry => c !== undefined)
  cache.request(around.map((c) => c.dataUri))
  const runs = windowRuns(needed, (uri) => cache.get(uri), start, end)
  return { runs, level: runs.every((r) => r.chunk) ? 'chunks' : 'overview' }
}

/** What the overview is, written under the plot so that nobody reads its density as every spike's: a long and a short form. */
function overviewNotes(data: SpikeAmplitudesData): [string, string] {
  let total = 0
  for (const c of data.chunks ?? []) total += c.numSpikes
  let shown = 0
  for (const u of data.units) shown += u.spikeTimesSec.length
  const oneIn = shown > 0 ? Math.max(1, Math.round(total / shown)) : 0
  return [
    `overview: ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} spikes (each unit's extremes, ~1 in ${oneIn} of the rest) · zoom in for every spike`,
    `overview: extremes + 1 in ${oneIn} spikes · zoom in for all`,
  ]
}

function SpikeAmplitudesView({ data, width, height }: ViewProps<SpikeAmplitudesData>) {
  const { unitOrder, timeRange } = useFigure()
  const selected = useSelection()
  const onUnitClick = useUnitClick()
  const [hover, setHover] = useState<string>()
  const bounds = useMemo(() => ({ start: data.startTimeSec, end: data.endTimeSec }), [data])
  const [ymin, ymax] = useMemo(() => robustRange(data.units.map((u) => u.spikeAmplitudes)), [data])
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right)
  const plotH = Math.max(10, height - MARGIN.top - MARGIN.bottom)
  const source = useMemo(() => splitSource(data), [data])
  const { host } = useFigure()
  const redraw = useRef<() => void>(() => undefined)
  const cache = useMemo(() => {
    if (!data.chunks) return undefined
    const numUnits = data.units.length
    const load = async (uri: string) => {
      // binary chunk files, or JSON ones (written before): told apart by their first bytes
      const r = await host.request({ type: 'getFileData', uri, responseType: 'binary', figurlProtocolVersion: 'p1' })
      if (r.errorMessage) throw new Error(r.errorMessage)
      if (!(r.fileData instanceof ArrayBuffer)) throw new Error(`the chunk ${uri} did not arrive as bytes`)
      if (isBinaryChunk(new Uint8Array(r.fileData))) return decodeBinaryChunk(r.fileData, numUnits)
      const raw = await decodeNdarrays(JSON.parse(new TextDecoder().decode(r.fileData)))
      if (!isRecord(raw)) throw new Error(`the chunk ${uri} is not a JSON object`)
      return decodeChunk(raw, numUnits)
    }
    return new ChunkCache(load, () => redraw.current())
  }, [data, host])
  const notes = useMemo(() => overviewNotes(data), [data])
  const split = useSplit(source)
  // A split unit's spikes are drawn by part, in the parts' colours (as in the units table).
  // Merges matter here only to name the parts of a split merged unit: without splits, a merge redraws nothing.
  const splits = useSplits()
  const mergeGroups = useMergeGroups(splits.length > 0)
  const splitUnits = useMemo(() => {
    const parts = partsByUnit({ mergeGroups, splits }, unitOrder)
    const out = new Map<string, { parts: DrawnPart[]; partOf: Int8Array }>()
    for (const u of data.units) {
      const unitParts = parts.get(unitKey(u.unitId))
      if (unitParts && u.spikeIndices) out.set(unitKey(u.unitId), { parts: unitParts, partOf: partOfSpikes(u.spikeIndices, unitParts) })
    }
    return out
  }, [data, mergeGroups, splits, unitOrder])
  // Every unit in unit order with its colour and its pale colour: a selection only chooses which one is drawn.
  const palette = useMemo(() => {
    const units = [...data.units].sort((a, b) => unitOrder.index(a.unitId) - unitOrder.index(b.unitId))
    return units.map((u) => ({ u, color: unitOrder.color(u.unitId), faded: fadeColor(unitOrder.color(u.unitId), 0.8) }))
  }, [data, unitOrder])
  // With a selection, the other units are drawn first in pale colours so the selected ones stand out.
  const ordered = useMemo(() => {
    const units = palette.map((p) => p.u)
    const colors = new Map(palette.map((p) => [p.u, p]))
    const shown = (u: AmplitudeSeries, on: boolean) => {
      const color = on ? (colors.get(u)?.color as string) : (colors.get(u)?.faded as string)
      const drawn = splitUnits.get(unitKey(u.unitId))
      if (!drawn) return { u, color, on }
      // a part is selected by its display id; selecting the unit it came from shows both
      const partColors = drawn.parts.map((p) => (on || isSelected(selected, p.key) ? p.color : fadeColor(p.color, 0.8)))
      return { u, color, on, partOf: drawn.partOf, partColors, partKeys: drawn.parts.map((p) => p.key) }
    }
    const chosen = (u: AmplitudeSeries) => isSelected(selected, u.unitId) || (splitUnits.get(unitKey(u.unitId))?.parts.some((p) => isSelected(selected, p.key)) ?? false)
    if (selected.length === 0) return units.map((u) => shown(u, true))
    const rest = units.filter((u) => !chosen(u)).map((u) => shown(u, false))
    const sel = units.filter(chosen).map((u) => shown(u, isSelected(selected, u.unitId)))
    return [...rest, ...sel]
  }, [palette, selected, splitUnits])
  const fadedLayer = useRef<FadedLayer | undefined>(undefined)

  // The split target matters to the drawing only while a polygon is previewed: a merge or a selection of two
  // units changes the target, and redrawing every spike for it would cost a frame or more at 300 units.
  const marking = split.polygon ? split.target : undefined
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const t0 = performance.now()
      const range = timeRange.get() ?? bounds
      const dpr = window.devicePixelRatio || 1
      const buf = PixelBuffer.for(ctx)
      const kx = (plotW * dpr) / (range.end - range.start)
      const ax = MARGIN.left * dpr - range.start * kx
      const ky = (-plotH * dpr) / (ymax - ymin)
      const ay = (MARGIN.top + plotH) * dpr - ymin * ky
      const size = Math.max(2, Math.round(2 * dpr))
      const top = MARGIN.top * dpr
      const bottom = (MARGIN.top + plotH) * dpr - size
      // While a split is previewed, the drawn spikes of its unit inside the polygon take the first part's colour.
      const polygon = split.polygon
      const splitting = new Set(marking?.unitIds.map(String) ?? [])
      const insidePixel = colorToPixel(PART_COLORS[0])
      const { runs, level } = drawnRuns(data, cache, range.start, range.end)
      // A selection of a few units among many: every unit drawn pale once for this window (and kept), then the
      // selected ones over it. The pale spikes of the selected units lie exactly under their own, so this is the
      // picture of drawing the others pale and the selected on top, without redrawing ~0.3 M spikes per selection.
      let drawn = ordered
      if (polygon === undefined && splitUnits.size === 0 && ordered.some((o) => !o.on)) {
        const key = { palette, runs, width: buf.width, height: buf.height, ax, kx, ay, ky }
        const layer = fadedLayer.current
        if (layer && sameLayer(layer.key, key)) buf.pixels.set(layer.pixels)
        else {
          for (const { u, faded } of palette) {
            const pixel = colorToPixel(faded)
            for (let r = 0; r < runs.length; r++) {
              const run = runs[r] as Run
              const t = run.chunk ? (run.chunk.times[u.index] ?? NO_SPIKES) : u.spikeTimesSec
              const amp = run.chunk ? (run.chunk.amplitudes[u.index] ?? NO_SPIKES) : u.spikeAmplitudes
              const [i0, i1] = runRange(t, run.start, run.end, r === runs.length - 1)
              for (let i = i0; i < i1; i++) {
                const y = (ay + (amp[i] as number) * ky) | 0
                if (y >= top && y <= bottom) buf.fillRect((ax + (t[i] as number) * kx) | 0, y, size, size, pixel)
              }
            }
          }
          fadedLayer.current = { key, pixels: buf.pixels.slice() }
        }
        drawn = ordered.filter((o) => o.on)
      }
      for (const { u, color, partOf, partColors } of drawn) {
        const pixel = colorToPixel(color)
        const partPixels = partColors?.map((c) => colorToPixel(c)) ?? []
        const marked = polygon !== undefined && splitting.has(String(u.unitId))
        for (let r = 0; r < runs.length; r++) {
          const run = runs[r] as Run
          const t = run.chunk ? (run.chunk.times[u.index] ?? NO_SPIKES) : u.spikeTimesSec
          const amp = run.chunk ? (run.chunk.amplitudes[u.index] ?? NO_SPIKES) : u.spikeAmplitudes
          // parts are known for the unit's own spikes only (spikeIndices), not for those of chunks
          const parts = run.chunk ? undefined : partOf
          const [i0, i1] = runRange(t, run.start, run.end, r === runs.length - 1)
          if (!marked && !parts) {
            // The common case, every frame of a pan: no per-spike choice of colour.
            for (let i = i0; i < i1; i++) {
              const y = (ay + (amp[i] as number) * ky) | 0
              if (y >= top && y <= bottom) buf.fillRect((ax + (t[i] as number) * kx) | 0, y, size, size, pixel)
            }
            continue
          }
          for (let i = i0; i < i1; i++) {
            const y = (ay + (amp[i] as number) * ky) | 0
            if (y < top || y > bottom) continue
            const inside = marked && pointInPolygon(t[i] as number, amp[i] as number, polygon)
            const part = parts ? (parts[i] as number) : -1
            buf.fillRect((ax + (t[i] as number) * kx) | 0, y, size, size, inside ? insidePixel : part >= 0 ? (partPixels[part] as number) : pixel)
          }
        }
      }
      buf.put(ctx)
      const root = ctx.canvas.parentElement
      if (root && root.dataset.amplitudeLevel !== level) root.dataset.amplitudeLevel = level
      if (level === 'overview') {
        // bottom left, under the y axis: the top holds the hover readout and the split controls
        ctx.save()
        ctx.font = '11px system-ui, sans-serif'
        ctx.fillStyle = '#666'
        ctx.textBaseline = 'bottom'
        ctx.textAlign = 'left'
        const room = MARGIN.left + plotW / 2 - 40 // up to the x axis title, centred under the plot
        const failed = cache?.error()
        const text = failed ? `could not load spikes: ${failed}` : ((notes.find((n) => ctx.measureText(n).width <= room) ?? notes[1]) as string)
        ctx.fillText(text, 4, height - 3)
        ctx.restore()
      }
      const area = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }
      if (split.polygon) {
        const toScreen = ([t, v]: Point): Point => [MARGIN.left + ((t - range.start) / (range.end - range.start)) * plotW, MARGIN.top + ((ymax - v) / (ymax - ymin)) * plotH]
        drawPolygon(ctx, split.polygon.map(toScreen), area)
      }
      drawXAxis(ctx, area, range.start, range.end, 'time (s)')
      drawYAxis(ctx, area, ymin, ymax, AMPLITUDE_LABEL)
      recordFrame('SpikeAmplitudes', performance.now() - t0)
    },
    [ordered, palette, splitUnits, timeRange, bounds, plotW, plotH, ymin, ymax, split.polygon, marking, data, cache, notes, height],
  )
  const { canvasRef, requestDraw } = useCanvasDraw(draw, width, height, [draw])
  redraw.current = requestDraw

  const nav = useTimeNavigation({
    targetRef: canvasRef,
    bounds,
    plotLeft: MARGIN.left,
    plotWidth: plotW,
    onRangeChange: requestDraw,
    onClick: (x, y, e) => {
      const id = nearestUnit(x, y)
      if (id !== undefined) onUnitClick(id, e)
    },
    onHover: (pos) => {
      if (!pos || pos.x < MARGIN.left || pos.y > MARGIN.top + plotH) return setHover(undefined)
      const r = nav.getRange()
      const t = r.start + ((pos.x - MARGIN.left) / plotW) * (r.end - r.start)
      const v = ymax - ((pos.y - MARGIN.top) / plotH) * (ymax - ymin)
      const id = nearestUnit(pos.x, pos.y)
      setHover(`${id !== undefined ? `unit ${id} · ` : ''}t = ${formatValue(t)} s · amplitude ${formatValue(v)} µV`)
    },
  })

  /** The unit of the spike nearest to a click, within 6 px (searched only on click). */
  const nearestUnit = (x: number, y: number): UnitId | undefined => {
    const r = nav.getRange()
    const kx = plotW / (r.end - r.start)
    const ky = plotH / (ymax - ymin)
    const tLo = r.start + (x - 6 - MARGIN.left) / kx
    const tHi = r.start + (x + 6 - MARGIN.left) / kx
    let best: UnitId | undefined
    let bestD = 36
    // the spikes drawn in the window shown (its runs), near the click
    const { runs } = drawnRuns(data, cache, r.start, r.end)
    for (const { u, partOf, partKeys } of ordered) {
      for (let k = 0; k < runs.length; k++) {
        const run = runs[k] as Run
        const t = run.chunk ? (run.chunk.times[u.index] ?? NO_SPIKES) : u.spikeTimesSec
        const amp = run.chunk ? (run.chunk.amplitudes[u.index] ?? NO_SPIKES) : u.spikeAmplitudes
        const parts = run.chunk ? undefined : partOf
        const [i0, i1] = runRange(t, Math.max(run.start, tLo), Math.min(run.end, tHi), k === runs.length - 1)
        for (let i = i0; i < i1; i++) {
          const dx = MARGIN.left + ((t[i] as number) - r.start) * kx - x
          const dy = MARGIN.top + plotH - ((amp[i] as number) - ymin) * ky - y
          const d = dx * dx + dy * dy
          if (d <= bestD) {
            bestD = d
            // a spike of a split unit selects its part
            const part = parts ? (parts[i] as number) : -1
            best = part >= 0 && partKeys ? (partKeys[part] as string) : u.unitId
          }
        }
      }
    }
    return best
  }

  return (
    <div className="time-plot">
      <canvas ref={canvasRef} className="interactive-canvas" />
      <TimeToolbar zoom={nav.zoom} reset={nav.reset} />
      <HoverReadout text={hover} />
      {split.lassoActive && split.target && (
        <LassoOverlay
          area={{ left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }}
          onLasso={(screen) => {
            // Screen pixels to (time, amplitude): the space the runner applies the polygon in.
            const r = nav.getRange()
            split.propose(screen.map(([x, y]): Point => [r.start + ((x - MARGIN.left) / plotW) * (r.end - r.start), ymax - ((y - MARGIN.top) / plotH) * (ymax - ymin)]))
          }}
        />
      )}
      <SplitControls split={split} />
      <SplitPreviewPanel split={split} />
    </div>
  )
}

export const spikeAmplitudesView = defineView(decodeSpikeAmplitudes, SpikeAmplitudesView, { showsSelection: true })
