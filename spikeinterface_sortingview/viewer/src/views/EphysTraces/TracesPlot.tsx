// The traces plot: asks the runner for the visible window (debounced while panning), draws the last window
// it has at the current zoom meanwhile, and overlays the sorting's spikes.
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { drawXAxis, formatValue } from '../../draw/axes'
import { colorToPixel, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { computeErrorText } from '../../compute/computeClient'
import { useLatestTask } from '../../compute/useLatestTask'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { Store } from '../../state/store'
import { limitSpan, panRange, type TimeRange } from '../../state/timeRange'
import { unitKey } from '../../state/units'
import { type ComputeNote, ComputeNotes, NOTE_HEIGHT } from '../shared/ComputeNotes'
import { recordFrame } from '../shared/framePerf'
import { HoverReadout } from '../shared/HoverReadout'
import { useTimeNavigation } from '../shared/useTimeNavigation'
import { channelStats, channelsTopToBottom, unitsPerRow } from './channelLayout'
import { drawTracesWindow, type TracesLayout } from './drawTraces'
import { drawChannelLabels, drawSpikeTicks, SPIKE_STRIP } from './drawOverlays'
import {
  type Bandpass,
  type FrameWindow,
  parseSpikesReply,
  parseTracesReply,
  type RecordingInfo,
  spikesRequest,
  tracesRequest,
} from './tracesTasks'

interface Props {
  info: RecordingInfo
  recordingUri: string
  sortingUri: string | undefined
  width: number
  height: number
}

const TOOLBAR_HEIGHT = 27
const DEBOUNCE_MS = 150
const INITIAL_SPAN_SEC = 1
// The runner reads at most 128 Mi values per window; stay under it, and under what pans smoothly.
const MAX_READ_VALUES = 120 * 1024 * 1024
const MAX_SPAN_SEC = 10
// The default scale makes a channel's typical trace (its noise) this fraction of its row, unless the spikes
// would then cross into the neighbouring rows: they are kept inside their own (see unitsPerRow).
const SPREAD_PER_ROW = 0.4
const GAIN_STEP = 1.5
// A 384-channel probe in one plot leaves two pixels per channel: start with a readable part of it, top
// of the probe first; the rest is a scroll (shift+wheel, Page Up/Down) or a "more channels" away.
const DEFAULT_MAX_ROWS = 96
const MIN_ROWS = 4
const TRACE_PIXELS = [colorToPixel('#23272e'), colorToPixel('#35609c')]
const BANDPASS: Bandpass = { freqMin: 300, freqMax: 6000 }

/** The band-pass for this sampling rate: 300–6000 Hz, the upper edge kept under Nyquist. */
export function bandpassFor(samplingFrequency: number): Bandpass {
  return { freqMin: BANDPASS.freqMin, freqMax: Math.min(BANDPASS.freqMax, Math.floor(samplingFrequency * 0.45)) }
}

/** Frames of a time window, inside the segment and at least one frame long. */
export function frameWindow(r: TimeRange, segmentIndex: number, fs: number, numSamples: number): FrameWindow {
  const startFrame = Math.max(0, Math.min(numSamples - 1, Math.floor(r.start * fs)))
  const endFrame = Math.max(startFrame + 1, Math.min(numSamples, Math.ceil(r.end * fs)))
  return { segmentIndex, startFrame, endFrame }
}

export function TracesPlot({ info, recordingUri, sortingUri, width, height }: Props) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const [segment, setSegment] = useState(0)
  const [bandpass, setBandpass] = useState(false)
  const [gain, setGain] = useState(1)
  const [hover, setHover] = useState<string>()
  const fs = info.samplingFrequency
  const numSamples = info.numSamples[segment] ?? 0
  const bounds = useMemo(() => ({ start: 0, end: numSamples / fs }), [numSamples, fs])

  const channelsTopDown = useMemo(() => channelsTopToBottom(info.channelIds, info.channelLocations), [info])
  const numChannels = channelsTopDown.length
  const [rows, setRows] = useState(() => ({ first: 0, count: Math.min(numChannels, DEFAULT_MAX_ROWS) }))
  const visible = useMemo(() => channelsTopDown.slice(rows.first, rows.first + rows.count), [channelsTopDown, rows])
  const rowOf = useMemo(() => new Map(visible.map((id, row) => [id, row])), [visible])
  const scrollRows = useCallback(
    (delta: number) => setRows((r) => ({ ...r, first: Math.max(0, Math.min(numChannels - r.count, r.first + Math.round(delta))) })),
    [numChannels],
  )
  const resizeRows = (factor: number): void =>
    setRows((r) => {
      const count = Math.max(Math.min(MIN_ROWS, numChannels), Math.min(numChannels, Math.round(r.count * factor)))
      // Keep the middle channel in the middle.
      const first = Math.max(0, Math.min(numChannels - count, Math.round(r.first + r.count / 2 - count / 2)))
      return { first, count }
    })

  const maxSpan = Math.min(bounds.end, MAX_SPAN_SEC, MAX_READ_VALUES / Math.max(1, visible.length) / fs)
  // A new segment starts at its beginning again.
  const initial = useMemo(() => ({ start: 0, end: Math.min(INITIAL_SPAN_SEC, bounds.end) }), [bounds])
  // The view's own window (not the figure's shared one: a whole recording cannot be shown as traces).
  const [range] = useState(() => new Store<TimeRange | undefined>(initial))
  const [requested, setRequested] = useState<TimeRange>(initial)
  useEffect(() => {
    range.set(initial)
    setRequested(initial)
  }, [initial, range])
  // More channels allow a shorter window only.
  useEffect(() => {
    const r = range.get() ?? initial
    range.set(limitSpan(r, maxSpan, r.start, bounds))
  }, [maxSpan, range, initial, bounds])

  // The request follows the window only once it stops moving for a moment.
  useEffect(() => {
    let timer = 0
    const unsubscribe = range.subscribe(() => {
      window.clearTimeout(timer)
      timer = window.setTimeout(() => setRequested(range.get() ?? initial), DEBOUNCE_MS)
    })
    return () => {
      window.clearTimeout(timer)
      unsubscribe()
    }
  }, [range, initial])

  const dpr = window.devicePixelRatio || 1
  const margin = { left: 64, right: 12, top: sortingUri ? SPIKE_STRIP + 8 : 8, bottom: 36 }
  const canvasHeight = Math.max(60, height - TOOLBAR_HEIGHT - NOTE_HEIGHT)
  const plot = { left: margin.left, top: margin.top, width: Math.max(10, width - margin.left - margin.right), height: Math.max(10, canvasHeight - margin.top - margin.bottom) }
  const maxPoints = Math.max(50, Math.min(100_000, Math.round(plot.width * dpr)))

  const frames = frameWindow(requested, segment, fs, numSamples)
  const channelIds = visible.length < numChannels ? visible : undefined
  const traces = useLatestTask(tracesRequest(recordingUri, frames, maxPoints, bandpass ? bandpassFor(fs) : undefined, channelIds), parseTracesReply)
  const spikes = useLatestTask(sortingUri ? spikesRequest(sortingUri, frames) : undefined, parseSpikesReply)
  // A window of another segment is not drawn; one of the other filter setting is, until the new one comes.
  const shown = traces.value && traces.value.segmentIndex === segment ? traces.value : undefined
  const shownSpikes = spikes.value && spikes.value.segmentIndex === segment ? spikes.value : undefined
  const stats = useMemo(() => (shown ? channelStats(shown) : undefined), [shown])

  // The scale is fixed by the first window of each filter setting, so it does not jump while panning.
  const scaleByMode = useRef(new Map<boolean, number>())
  const shownFiltered = traces.valueRequest !== undefined && 'bandpass' in traces.valueRequest.taskInput
  if (stats && !scaleByMode.current.has(shownFiltered)) scaleByMode.current.set(shownFiltered, unitsPerRow(stats, SPREAD_PER_ROW))
  const rowUnits = scaleByMode.current.get(shownFiltered) ?? 1
  const pitch = plot.height / Math.max(1, visible.length)
  const pxPerUnit = (gain * pitch) / rowUnits
  const selectedKeys = useMemo(() => new Set(selected.map(unitKey)), [selected])

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const t0 = performance.now()
      const r = range.get() ?? initial
      const layout: TracesLayout = { plot, t0: r.start, t1: r.end, rowOf, numRows: visible.length, pxPerUnit, dpr }
      if (shown && stats) {
        const buf = PixelBuffer.for(ctx)
        drawTracesWindow(buf, layout, shown, stats.medians, TRACE_PIXELS)
        buf.put(ctx)
      }
      if (shownSpikes) drawSpikeTicks(ctx, layout, shownSpikes, fs, unitOrder, selectedKeys)
      drawChannelLabels(ctx, layout, visible)
      drawXAxis(ctx, { ...plot }, r.start, r.end, 'time (s)')
      recordFrame('EphysTraces', performance.now() - t0)
    },
    [range, initial, plot.width, plot.height, plot.top, rowOf, visible, pxPerUnit, dpr, shown, stats, shownSpikes, fs, unitOrder, selectedKeys],
  )
  const { canvasRef, requestDraw } = useCanvasDraw(draw, width, canvasHeight, [draw])
  const nav = useTimeNavigation({
    targetRef: canvasRef,
    bounds,
    plotLeft: plot.left,
    plotWidth: plot.width,
    onRangeChange: requestDraw,
    store: range,
    maxSpan,
    onWheel: (e) => {
      if (!e.shiftKey) return false
      // Shift+wheel moves along the probe, a few channels per notch.
      const delta = e.deltaMode === 1 ? e.deltaY : e.deltaY / 40
      scrollRows(Math.sign(delta) * Math.max(1, Math.abs(delta)) * Math.max(1, Math.round(rows.count / 16)))
      return true
    },
    onHover: (pos) => {
      if (!pos || pos.x < plot.left || pos.y < plot.top || pos.y > plot.top + plot.height) return setHover(undefined)
      const r = nav.getRange()
      const t = r.start + ((pos.x - plot.left) / plot.width) * (r.end - r.start)
      const channel = visible[Math.floor(((pos.y - plot.top) / plot.height) * visible.length)]
      setHover(`t = ${t.toFixed(4)} s${channel !== undefined ? ` · channel ${channel}` : ''}`)
    },
  })

  const pan = (fraction: number): void => {
    const r = range.get() ?? initial
    range.set(panRange(r, fraction * (r.end - r.start), bounds))
  }
  const changeGain = (factor: number): void => setGain((g) => Math.min(1e4, Math.max(1e-4, g * factor)))
  const onKeyDown = (e: KeyboardEvent): void => {
    const actions: Record<string, () => void> = {
      '+': () => changeGain(GAIN_STEP),
      '=': () => changeGain(GAIN_STEP),
      '-': () => changeGain(1 / GAIN_STEP),
      ArrowUp: () => changeGain(GAIN_STEP),
      ArrowDown: () => changeGain(1 / GAIN_STEP),
      ArrowLeft: () => pan(-0.25),
      ArrowRight: () => pan(0.25),
      PageUp: () => scrollRows(-rows.count / 2),
      PageDown: () => scrollRows(rows.count / 2),
    }
    const action = actions[e.key]
    if (!action || e.ctrlKey || e.metaKey || e.altKey) return
    e.preventDefault()
    action()
  }

  const notes: ComputeNote[] = []
  if (traces.error) notes.push({ kind: 'error', text: computeErrorText(traces.error, 'this window of traces') })
  else if (spikes.error) notes.push({ kind: 'error', text: computeErrorText(spikes.error, 'the spikes in this window') })
  else if (traces.loading || spikes.loading) notes.push({ kind: 'loading', text: 'Loading traces…' })
  else notes.push({ kind: 'info', text: describe(info, shown, pitch / pxPerUnit, bandpass) })

  return (
    <div
      className="traces-view"
      data-testid="ephys-traces"
      data-loaded-window={shown ? `${shown.segmentIndex}:${shown.startFrame}-${shown.endFrame}` : ''}
      data-loading={traces.loading || spikes.loading ? 'true' : 'false'}
      data-gain={String(gain)}
      data-bandpass={bandpass ? 'true' : 'false'}
      data-spikes={shownSpikes ? String(shownSpikes.spikeFrames.length) : ''}
      data-rows={`${rows.first}:${visible.length}`}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="view-toolbar traces-toolbar" style={{ height: TOOLBAR_HEIGHT - 8 }}>
        <button type="button" title="Earlier (←)" data-testid="traces-pan-left" onClick={() => pan(-0.5)}>
          ◀
        </button>
        <button type="button" title="Later (→)" data-testid="traces-pan-right" onClick={() => pan(0.5)}>
          ▶
        </button>
        <button type="button" title="Zoom in on time (wheel)" data-testid="traces-zoom-in" onClick={() => nav.zoom(0.5)}>
          +
        </button>
        <button type="button" title="Zoom out on time (wheel)" data-testid="traces-zoom-out" onClick={() => nav.zoom(2)}>
          −
        </button>
        <span className="toolbar-sep" />
        <button type="button" title="Smaller traces (↓ or -)" data-testid="traces-gain-down" onClick={() => changeGain(1 / GAIN_STEP)}>
          gain −
        </button>
        <button type="button" title="Larger traces (↑ or +)" data-testid="traces-gain-up" onClick={() => changeGain(GAIN_STEP)}>
          gain +
        </button>
        <span className="toolbar-sep" />
        <button type="button" title="Show fewer channels, taller" data-testid="traces-rows-fewer" disabled={visible.length <= MIN_ROWS} onClick={() => resizeRows(0.5)}>
          channels −
        </button>
        <button type="button" title="Show more channels" data-testid="traces-rows-more" disabled={visible.length >= numChannels} onClick={() => resizeRows(2)}>
          channels +
        </button>
        <button type="button" title="Up the probe (Page Up, shift+wheel)" data-testid="traces-rows-up" disabled={rows.first === 0} onClick={() => scrollRows(-rows.count / 2)}>
          ▲
        </button>
        <button
          type="button"
          title="Down the probe (Page Down, shift+wheel)"
          data-testid="traces-rows-down"
          disabled={rows.first + visible.length >= numChannels}
          onClick={() => scrollRows(rows.count / 2)}
        >
          ▼
        </button>
        <span className="muted" data-testid="traces-rows">
          {visible.length < numChannels ? `channels ${rows.first + 1}–${rows.first + visible.length} of ${numChannels}` : `${numChannels} channels`}
        </span>
        <span className="toolbar-sep" />
        <label title={`Band-pass filter ${bandpassFor(fs).freqMin}–${bandpassFor(fs).freqMax} Hz (computed by the runner)`}>
          <input type="checkbox" data-testid="traces-bandpass" checked={bandpass} onChange={(e) => setBandpass(e.target.checked)} /> band-pass{' '}
          {bandpassFor(fs).freqMin}–{bandpassFor(fs).freqMax} Hz
        </label>
        {info.numSegments > 1 && (
          <label>
            segment{' '}
            <select data-testid="traces-segment" value={segment} onChange={(e) => setSegment(Number(e.target.value))}>
              {info.numSamples.map((_, i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ComputeNotes notes={notes} />
      <div className="time-plot" style={{ height: canvasHeight }}>
        <canvas ref={canvasRef} className="interactive-canvas" />
        {!shown && !traces.error && <div className="traces-placeholder">Loading traces…</div>}
        <HoverReadout text={hover} />
      </div>
    </div>
  )
}

function describe(info: RecordingInfo, w: ReturnType<typeof parseTracesReply> | undefined, unitsPerRow: number, bandpass: boolean): string {
  const units = info.dataUnits === 'uV' ? 'µV' : 'raw units'
  const parts = [`${formatValue(info.samplingFrequency / 1000)} kHz`, `1 row = ${formatValue(unitsPerRow)} ${units}`]
  if (w && w.minMax) parts.push(`min/max of ${w.decimation} samples per point`)
  if (bandpass) parts.push('band-pass')
  return parts.join(' · ')
}
