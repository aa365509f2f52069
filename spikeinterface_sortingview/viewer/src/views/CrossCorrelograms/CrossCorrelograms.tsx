// CrossCorrelograms: the matrix of correlograms between the selected units. With the figure's sorting URI,
// merged units are shown as one and what the figure lacks is asked from the runner.
import { useCallback, useMemo } from 'react'
import { computeErrorText } from '../../compute/computeClient'
import { useTask } from '../../compute/useTask'
import { useMergeGroups } from '../../figure/curationHooks'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { type DisplayUnit, displayUnits, figureUnitsOf, plainUnit } from '../../state/mergeDisplay'
import type { UnitId } from '../../state/units'
import { type Correlogram, drawCorrelogram } from '../shared/correlogram'
import { type ComputeNote, ComputeNotes, drawCellMessage, NOTE_HEIGHT } from '../shared/ComputeNotes'
import {
  binsOf,
  correlogramsRequest,
  type CorrelogramTable,
  pairKey as displayPairKey,
  parseCorrelogramsReply,
  summedCorrelogram,
} from '../shared/groupCorrelograms'
import { ViewMessage } from '../shared/Message'
import { type GridItem, PlotGrid } from '../shared/PlotGrid'
import { UNIT_SELECTOR_WIDTH, UnitSelector, useDefaultSelection } from '../shared/UnitSelector'
import { defineView, type ViewProps } from '../viewDefinition'
import { type CrossCorrelogramsData, decodeCrossCorrelograms, decodedPairs, findCorrelogram, firstCorrelogram, LAZY_FIELDS } from './data'

const MAX_UNITS = 8
const DEFAULT_SELECTED = 4
const CELL_EXTRA = 8
// One or two units in a wide view: a histogram stretched over the whole width reads worse, not better.
const MAX_CELL_WIDTH = 420
const GRID_PADDING = 16 + 14

/** Where a cell's correlogram comes from; decides what the cell draws while there is none. */
type Source = 'figure' | 'runner' | 'summed' | 'loading' | 'unavailable' | 'absent'

type Item = GridItem & { correlogram?: Correlogram; source: Source; diagonal: boolean; colorId: UnitId }

interface Pair {
  a: DisplayUnit
  b: DisplayUnit
  stored?: Correlogram
}

function CrossCorrelogramsView({ data, width, height }: ViewProps<CrossCorrelogramsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const mergeGroups = useMergeGroups(data.sortingUri !== undefined)
  const live = data.sortingUri !== undefined
  const showSelector = !data.hideUnitSelector
  const figureUnits = useMemo(() => unitOrder.sort(data.unitIds), [data, unitOrder])
  useDefaultSelection(showSelector, figureUnits, DEFAULT_SELECTED)

  const allShown = useMemo(
    () => {
      const units = figureUnitsOf(selected, unitOrder)
      return live ? displayUnits(units, mergeGroups, unitOrder) : units.map(plainUnit)
    },
    [live, selected, mergeGroups, unitOrder],
  )
  const shown = allShown.slice(0, MAX_UNITS)
  const shownKey = shown.map((d) => d.key).join(',')

  const pairs = useMemo<Pair[]>(() => {
    const out: Pair[] = []
    for (const a of shown)
      for (const b of shown) {
        const stored = !a.merged && !b.merged ? findCorrelogram(data, a.unitIds[0] as UnitId, b.unitIds[0] as UnitId) : undefined
        out.push(stored ? { a, b, stored } : { a, b })
      }
    return out
  }, [data, shownKey])

  // One request for every display unit involved in a missing pair; the page caches it by its input.
  const request = useMemo(() => {
    if (!data.sortingUri) return undefined
    const missing = pairs.filter((p) => !p.stored)
    if (missing.length === 0) return undefined
    const involved = new Map<string, DisplayUnit>()
    for (const p of missing) {
      involved.set(p.a.key, p.a)
      involved.set(p.b.key, p.b)
    }
    const units = shown.filter((d) => involved.has(d.key))
    const cross = missing.some((p) => p.a.key !== p.b.key)
    return correlogramsRequest(data.sortingUri, units, binsOf(firstCorrelogram(data)), cross)
  }, [data, pairs])
  const task = useTask(request, parseCorrelogramsReply)
  const computed: CorrelogramTable | undefined = task.status === 'ready' ? task.value : undefined

  const items = useMemo<Item[]>(() => {
    const find = (a: UnitId, b: UnitId): Correlogram | undefined => findCorrelogram(data, a, b)
    return pairs.map(({ a, b, stored }) => {
      const key = displayPairKey(a.key, b.key)
      let correlogram = stored
      let source: Source = stored ? 'figure' : 'absent'
      if (!correlogram && computed) {
        correlogram = computed.get(key)
        if (correlogram) source = 'runner'
      }
      if (!correlogram && live && task.status === 'loading') source = 'loading'
      if (!correlogram && live && task.status === 'error') {
        // Without the runner, a merged unit's correlogram is still exact when the figure has every part.
        correlogram = summedCorrelogram(find, a, b)
        source = correlogram ? 'summed' : 'unavailable'
      }
      const item: Item = { key, title: `${a.key} × ${b.key}`, source, state: source, diagonal: a.key === b.key, colorId: a.unitIds[0] as UnitId }
      if (correlogram) item.correlogram = correlogram
      return item
    })
  }, [pairs, computed, task.status, live, data])

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) => {
      if (!item.correlogram) {
        const text = { loading: 'computing…', unavailable: 'not available', absent: 'not computed' }[item.source as 'loading' | 'unavailable' | 'absent']
        drawCellMessage(ctx, w, h, text ?? 'not computed')
        return
      }
      drawCorrelogram(ctx, w, h, item.correlogram, item.diagonal ? unitOrder.color(item.colorId) : '#444', true)
    },
    [unitOrder],
  )

  const notes: ComputeNote[] = []
  if (allShown.length > MAX_UNITS) notes.push({ kind: 'info', text: `Showing the first ${MAX_UNITS} of ${allShown.length} selected units.` })
  if (task.status === 'loading') notes.push({ kind: 'loading', text: 'Computing correlograms on the runner…' })
  if (task.status === 'error') {
    const merged = shown.filter((d) => d.merged).map((d) => d.key)
    const what = merged.length > 0 ? `the correlograms of ${merged.join(', ')}` : 'the missing correlograms'
    notes.push({ kind: 'error', text: computeErrorText(task.error, what) })
    if (items.some((i) => i.source === 'summed')) notes.push({ kind: 'info', text: 'Merged units: summed from the figure’s correlograms of their units.' })
  }

  const selectorWidth = showSelector ? UNIT_SELECTOR_WIDTH : 0
  const mainWidth = width - selectorWidth
  const gridHeight = height - notes.length * NOTE_HEIGHT
  const selector = showSelector ? <UnitSelector unitIds={figureUnits} height={height} /> : null
  if (shown.length === 0) {
    return (
      <div className="cc-layout">
        {selector}
        <div className="cc-main">
          <ViewMessage>{showSelector ? 'Select units in the list to see their cross-correlograms.' : 'Select units to see their cross-correlograms.'}</ViewMessage>
        </div>
      </div>
    )
  }
  // n cells per row must fit: each takes its width plus a 6 px gap and a 2 px border, the grid pads 8 px
  // each side, and a vertical scrollbar may take some more.
  const n = shown.length
  const cellWidth = Math.min(MAX_CELL_WIDTH, Math.max(90, Math.floor((mainWidth - GRID_PADDING - n * CELL_EXTRA) / n)))
  const cellHeight = Math.max(70, Math.min(Math.round(cellWidth * 0.75), Math.floor((gridHeight - GRID_PADDING - n * CELL_EXTRA) / n)))
  // How many of the figure's pairs are decoded (those shown so far) out of how many it stores.
  return (
    <div className="cc-layout" data-pairs={data.byPair.size} data-decoded-pairs={decodedPairs(data)}>
      {selector}
      <div className="cc-main">
        <ComputeNotes notes={notes} />
        <div style={{ width: Math.min(mainWidth, n * (cellWidth + CELL_EXTRA) + GRID_PADDING) }}>
          <PlotGrid items={items} cellWidth={cellWidth} cellHeight={cellHeight} draw={draw} height={gridHeight} />
        </div>
      </div>
    </div>
  )
}

export const crossCorrelogramsView = defineView(decodeCrossCorrelograms, CrossCorrelogramsView, { showsSelection: true, lazyFields: LAZY_FIELDS })
