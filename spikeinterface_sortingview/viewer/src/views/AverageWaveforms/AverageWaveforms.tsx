// AverageWaveforms: each unit's mean waveform drawn on its channels at their probe positions. With the
// figure's sorting URI, a merge group is shown as one unit: exact from the runner when the figure names
// the recording too, else the spike-count-weighted mean of its members' templates.
import { useCallback, useMemo, useState } from 'react'
import { computeErrorText } from '../../compute/computeClient'
import { type TaskState, useTask, useTasks } from '../../compute/useTask'
import { useMergeGroups } from '../../figure/curationHooks'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { type DisplayUnit, displayUnits, plainUnit } from '../../state/mergeDisplay'
import { isSelected } from '../../state/selection'
import { type UnitId, unitKey } from '../../state/units'
import { type ComputeNote, ComputeNotes, drawCellMessage, NOTE_HEIGHT } from '../shared/ComputeNotes'
import { gridCellSize, type GridItem, PlotGrid } from '../shared/PlotGrid'
import { parseSortingInfo, type SortingInfo, sortingInfoRequest } from '../shared/sortingInfo'
import { defineView, type ViewProps } from '../viewDefinition'
import { type AverageWaveformItem, type AverageWaveformsData, decodeAverageWaveforms } from './data'
import { drawUnitWaveforms, peakAmplitude } from './drawWaveforms'
import { averageWaveformsRequest, type ComputedWaveform, parseAverageWaveformsReply, unionChannels, weightedMeanWaveform } from './mergedWaveforms'

type Item = GridItem & { unitId: UnitId; waveforms?: AverageWaveformItem; message?: string; caption?: string }

const WEIGHTED = 'weighted mean of templates'
// Captions fit a narrow cell; the title's tooltip and the view's note say the rest.
const WEIGHTED_CAPTION = 'weighted mean'

/** What a merged unit's cell shows, from the exact answer, the spike counts, or neither. */
function mergedItem(
  u: DisplayUnit,
  parts: AverageWaveformItem[],
  exact: TaskState<ComputedWaveform> | undefined,
  info: TaskState<SortingInfo>,
): Pick<Item, 'waveforms' | 'message' | 'caption' | 'state'> {
  if (exact?.status === 'ready') return { waveforms: exact.value.item, caption: `${exact.value.numSpikes} spikes`, state: 'runner' }
  if (exact?.status === 'loading' || info.status === 'loading') return { message: 'computing…', state: 'loading' }
  try {
    const counts = info.status === 'ready' ? u.unitIds.map((id) => info.value.spikeCounts.get(unitKey(id)) ?? 0) : []
    const waveforms = weightedMeanWaveform(u.unitIds[0] as UnitId, parts, counts)
    return info.status === 'ready'
      ? { waveforms, caption: WEIGHTED_CAPTION, state: 'weighted' }
      : { waveforms, caption: 'equal-weight mean', state: 'equal-weights' }
  } catch (err) {
    return { message: err instanceof Error ? err.message : String(err), state: 'unavailable' }
  }
}

/** The text, shortened with an ellipsis to fit `maxWidth` px in the context's font. */
function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text
  let end = text.length
  while (end > 1 && ctx.measureText(text.slice(0, end) + '…').width > maxWidth) end--
  return text.slice(0, end) + '…'
}

function AverageWaveformsView({ data, width, height }: ViewProps<AverageWaveformsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const mergeGroups = useMergeGroups(data.sortingUri !== undefined)
  const [ampScale, setAmpScale] = useState(1)
  const [onlySelected, setOnlySelected] = useState(false)
  const { sortingUri, recordingUri } = data

  const byKey = useMemo(() => new Map(data.averageWaveforms.map((w) => [unitKey(w.unitId), w])), [data])
  const units = useMemo(() => {
    const ids = unitOrder.sort(data.averageWaveforms.map((w) => w.unitId))
    return sortingUri ? displayUnits(ids, mergeGroups, unitOrder) : ids.map(plainUnit)
  }, [data, sortingUri, mergeGroups, unitOrder])
  const merged = useMemo(() => units.filter((u) => u.merged), [units])
  const partsOf = useCallback(
    (u: DisplayUnit) => u.unitIds.map((id) => byKey.get(unitKey(id))).filter((w): w is AverageWaveformItem => w !== undefined),
    [byKey],
  )

  const exactRequests = useMemo(
    () => (sortingUri && recordingUri ? merged.map((u) => averageWaveformsRequest(recordingUri, sortingUri, u, unionChannels(partsOf(u)))) : []),
    [merged, sortingUri, recordingUri, partsOf],
  )
  const exact = useTasks(exactRequests, parseAverageWaveformsReply)
  // Spike counts are needed only for the weighted mean: without the recording, or when the runner failed.
  const needCounts = sortingUri !== undefined && merged.length > 0 && (exactRequests.length === 0 || exact.some((s) => s.status === 'error'))
  const info = useTask(needCounts && sortingUri ? sortingInfoRequest(sortingUri) : undefined, parseSortingInfo)

  const allItems = useMemo<Item[]>(
    () =>
      units.map((u): Item => {
        const first = u.unitIds[0] as UnitId
        if (!u.merged) {
          const w = byKey.get(u.key)
          return w
            ? { key: u.key, unitId: first, title: `Unit ${u.key}`, waveforms: w, state: 'figure' }
            : { key: u.key, unitId: first, title: `Unit ${u.key}`, message: 'no waveform', state: 'absent' }
        }
        const j = merged.indexOf(u)
        const shown = mergedItem(u, partsOf(u), exactRequests.length > 0 ? exact[j] : undefined, info)
        return { key: u.key, unitId: first, unitIds: u.unitIds, title: `Unit ${u.key}`, titleHint: shown.caption, ...shown }
      }),
    [units, merged, byKey, partsOf, exactRequests, exact, info],
  )
  const items = useMemo(
    () => (onlySelected ? allItems.filter((i) => (i.unitIds ?? [i.unitId]).some((id) => isSelected(selected, id))) : allItems),
    [allItems, onlySelected, selected],
  )
  // The median unit's peak amplitude: the reference below which small units are not magnified further.
  const medianPeak = useMemo(() => {
    const peaks = data.averageWaveforms.map((w) => peakAmplitude(w.waveform)).sort((a, b) => a - b)
    return peaks[peaks.length >> 1] ?? 0
  }, [data])
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) => {
      if (!item.waveforms) return drawCellMessage(ctx, w, h, item.message ?? 'not available')
      drawUnitWaveforms(ctx, w, h, item.waveforms, data.channelLocations, unitOrder.color(item.unitId), ampScale, medianPeak)
      if (item.caption) {
        ctx.font = '10px system-ui, sans-serif'
        const text = fitText(ctx, item.caption, w - 8)
        ctx.fillStyle = 'rgba(255,255,255,0.85)'
        ctx.fillRect(2, h - 14, ctx.measureText(text).width + 4, 13)
        ctx.fillStyle = '#4b5563'
        ctx.textAlign = 'left'
        ctx.textBaseline = 'bottom'
        ctx.fillText(text, 4, h - 2)
      }
    },
    [data, unitOrder, ampScale, medianPeak],
  )

  const notes: ComputeNote[] = []
  if (exact.some((s) => s.status === 'loading') || info.status === 'loading') {
    notes.push({ kind: 'loading', text: 'Computing the waveforms of merged units on the runner…' })
  }
  const failed = exact.map((s, j) => (s.status === 'error' ? { s, u: merged[j] } : undefined)).find((x) => x !== undefined)
  if (failed && failed.s.status === 'error') {
    notes.push({ kind: 'error', text: computeErrorText(failed.s.error, `the waveforms of ${failed.u?.key ?? 'merged units'}`) })
  }
  if (merged.length > 0 && needCounts && info.status !== 'loading') {
    const how = info.status === 'ready' ? `${WEIGHTED} (weighted by spike count)` : 'mean of templates with equal weights (spike counts unavailable)'
    notes.push({ kind: 'info', text: `Merged units ${merged.map((u) => u.key).join(', ')}: ${how}.` })
  }

  const cell = gridCellSize(width, onlySelected ? 260 : 150, 1.6)
  return (
    <div className="view-column">
      <div className="view-toolbar">
        <button type="button" title="Larger amplitudes" onClick={() => setAmpScale((s) => s * 1.5)}>
          amp ↑
        </button>
        <button type="button" title="Smaller amplitudes" onClick={() => setAmpScale((s) => s / 1.5)}>
          amp ↓
        </button>
        <label>
          <input type="checkbox" checked={onlySelected} onChange={(e) => setOnlySelected(e.target.checked)} /> selected units only
        </label>
      </div>
      <ComputeNotes notes={notes} />
      <PlotGrid
        items={items}
        cellWidth={cell.width}
        cellHeight={cell.height}
        draw={draw}
        drawVersion={String(ampScale)}
        height={height - 30 - notes.length * NOTE_HEIGHT}
      />
    </div>
  )
}

export const averageWaveformsView = defineView(decodeAverageWaveforms, AverageWaveformsView, { showsSelection: true })
