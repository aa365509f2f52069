// Autocorrelograms: one small histogram per unit in a scrolling grid. With the figure's sorting URI, each
// merge group of the curation is shown as one unit whose autocorrelogram is asked from the runner.
import { useCallback, useMemo } from 'react'
import { computeErrorText } from '../../compute/computeClient'
import { useTask } from '../../compute/useTask'
import { useMergeGroups } from '../../figure/curationHooks'
import { useFigure } from '../../figure/FigureContext'
import { displayUnits, plainUnit } from '../../state/mergeDisplay'
import { type UnitId, unitKey } from '../../state/units'
import { list, numbers, optStr, rec, unitId } from '../decode'
import { type Correlogram, drawCorrelogram } from '../shared/correlogram'
import { type ComputeNote, ComputeNotes, drawCellMessage, NOTE_HEIGHT } from '../shared/ComputeNotes'
import { binsOf, correlogramsRequest, pairKey, parseCorrelogramsReply } from '../shared/groupCorrelograms'
import { fillingCellSize, type GridItem, PlotGrid } from '../shared/PlotGrid'
import { defineView, type ViewProps } from '../viewDefinition'

interface AutocorrelogramItem extends Correlogram {
  unitId: UnitId
}

export interface AutocorrelogramsData {
  autocorrelograms: AutocorrelogramItem[]
  /** The shared sorting (this project's extension): merged units' autocorrelograms come from the runner */
  sortingUri?: string
}

export function decodeAutocorrelograms(raw: Record<string, unknown>): AutocorrelogramsData {
  const data: AutocorrelogramsData = {
    autocorrelograms: list(raw.autocorrelograms, 'autocorrelograms').map((x, i) => {
      const r = rec(x, `autocorrelograms[${i}]`)
      return {
        unitId: unitId(r.unitId, `autocorrelograms[${i}].unitId`),
        binEdgesSec: numbers(r.binEdgesSec, `autocorrelograms[${i}].binEdgesSec`),
        binCounts: numbers(r.binCounts, `autocorrelograms[${i}].binCounts`),
      }
    }),
  }
  const sortingUri = optStr(raw.sortingUri)
  if (sortingUri) data.sortingUri = sortingUri
  return data
}

type Item = GridItem & { correlogram?: Correlogram; colorId: UnitId; pending: 'loading' | 'unavailable' | undefined }

function AutocorrelogramsView({ data, width, height }: ViewProps<AutocorrelogramsData>) {
  const { unitOrder } = useFigure()
  const mergeGroups = useMergeGroups(data.sortingUri !== undefined)
  const live = data.sortingUri !== undefined
  const stored = useMemo(() => new Map(data.autocorrelograms.map((a) => [unitKey(a.unitId), a])), [data])
  const units = useMemo(() => {
    const ids = unitOrder.sort(data.autocorrelograms.map((a) => a.unitId))
    return live ? displayUnits(ids, mergeGroups, unitOrder) : ids.map(plainUnit)
  }, [data, live, mergeGroups, unitOrder])

  const request = useMemo(() => {
    const merged = units.filter((u) => u.merged)
    if (!data.sortingUri || merged.length === 0) return undefined
    return correlogramsRequest(data.sortingUri, merged, binsOf(data.autocorrelograms[0]), false)
  }, [data, units])
  const task = useTask(request, parseCorrelogramsReply)

  const items = useMemo<Item[]>(
    () =>
      units.map((u) => {
        const first = u.unitIds[0] as UnitId
        const item: Item = { key: u.key, title: `Unit ${u.key}`, colorId: first, pending: undefined }
        if (u.merged) {
          item.unitIds = u.unitIds
          item.unitId = first
          const c = task.status === 'ready' ? task.value.get(pairKey(u.key, u.key)) : undefined
          if (c) item.correlogram = c
          else item.pending = task.status === 'error' ? 'unavailable' : 'loading'
          item.state = c ? 'runner' : item.pending
          item.titleHint = `Units ${u.unitIds.join(', ')} merged (computed by the runner)`
        } else {
          item.unitId = first
          const c = stored.get(u.key)
          if (c) item.correlogram = c
          item.state = 'figure'
        }
        return item
      }),
    [units, stored, task],
  )
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) => {
      if (item.correlogram) drawCorrelogram(ctx, w, h, item.correlogram, unitOrder.color(item.colorId), true)
      else drawCellMessage(ctx, w, h, item.pending === 'loading' ? 'computing…' : 'not available')
    },
    [unitOrder],
  )
  const notes: ComputeNote[] = []
  if (task.status === 'loading') notes.push({ kind: 'loading', text: 'Computing the autocorrelograms of merged units on the runner…' })
  if (task.status === 'error') {
    const merged = units.filter((u) => u.merged).map((u) => u.key)
    notes.push({ kind: 'error', text: computeErrorText(task.error, `the autocorrelograms of ${merged.join(', ')}`) })
  }
  const cell = fillingCellSize(width, height - notes.length * NOTE_HEIGHT, items.length, 170, 0.75)
  // Always the same tree, so the grid (and its scroll position) survives notes coming and going.
  return (
    <div className="view-column">
      <ComputeNotes notes={notes} />
      <PlotGrid items={items} cellWidth={cell.width} cellHeight={cell.height} draw={draw} height={height - notes.length * NOTE_HEIGHT} />
    </div>
  )
}

export const autocorrelogramsView = defineView(decodeAutocorrelograms, AutocorrelogramsView, { showsSelection: true })
