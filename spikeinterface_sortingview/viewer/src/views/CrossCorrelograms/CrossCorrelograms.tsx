// CrossCorrelograms: the matrix of correlograms between the selected units.
import { useCallback, useMemo } from 'react'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { type UnitId, unitKey } from '../../state/units'
import { list, numbers, rec, unitId } from '../decode'
import { type Correlogram, drawCorrelogram, mirrored } from '../shared/correlogram'
import { ViewMessage } from '../shared/Message'
import { type GridItem, PlotGrid } from '../shared/PlotGrid'
import { defineView, type ViewProps } from '../viewDefinition'

export interface CrossCorrelogramsData {
  /** keyed by "unit1|unit2" */
  byPair: Map<string, Correlogram>
  hideUnitSelector: boolean
}

const pairKey = (a: UnitId, b: UnitId): string => `${unitKey(a)}|${unitKey(b)}`

export function decodeCrossCorrelograms(raw: Record<string, unknown>): CrossCorrelogramsData {
  const byPair = new Map<string, Correlogram>()
  list(raw.crossCorrelograms, 'crossCorrelograms').forEach((x, i) => {
    const r = rec(x, `crossCorrelograms[${i}]`)
    const p = `crossCorrelograms[${i}]`
    byPair.set(pairKey(unitId(r.unitId1, `${p}.unitId1`), unitId(r.unitId2, `${p}.unitId2`)), {
      binEdgesSec: numbers(r.binEdgesSec, `${p}.binEdgesSec`),
      binCounts: numbers(r.binCounts, `${p}.binCounts`),
    })
  })
  return { byPair, hideUnitSelector: raw.hideUnitSelector === true }
}

/** Stored for (a, b) or only for (b, a), in which case the lags are mirrored. */
export function findCorrelogram(data: CrossCorrelogramsData, a: UnitId, b: UnitId): Correlogram | undefined {
  const direct = data.byPair.get(pairKey(a, b))
  if (direct) return direct
  const reverse = data.byPair.get(pairKey(b, a))
  return reverse ? mirrored(reverse) : undefined
}

const MAX_UNITS = 8

type Item = GridItem & { correlogram?: Correlogram; u1: UnitId; u2: UnitId }

function CrossCorrelogramsView({ data, width, height }: ViewProps<CrossCorrelogramsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const shown = selected.slice(0, MAX_UNITS)
  const items = useMemo<Item[]>(() => {
    const out: Item[] = []
    for (const u1 of shown)
      for (const u2 of shown) out.push({ key: pairKey(u1, u2), title: `${u1} × ${u2}`, u1, u2, correlogram: findCorrelogram(data, u1, u2) })
    return out
  }, [data, shown.join(',')])
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) => {
      if (!item.correlogram) {
        ctx.fillStyle = '#999'
        ctx.font = '11px system-ui, sans-serif'
        ctx.textAlign = 'center'
        ctx.fillText('not computed', w / 2, h / 2)
        return
      }
      const color = item.u1 === item.u2 ? unitOrder.color(item.u1) : '#444'
      drawCorrelogram(ctx, w, h, item.correlogram, color, true)
    },
    [unitOrder],
  )
  if (shown.length === 0) return <ViewMessage>Select units to see their cross-correlograms.</ViewMessage>
  const usable = Math.max(100, width - 16)
  const cellWidth = Math.max(90, Math.floor(usable / shown.length) - 6)
  const cellHeight = Math.max(70, Math.min(Math.round(cellWidth * 0.75), Math.floor((height - 30) / shown.length) - 6))
  return (
    <div className="view-column">
      {selected.length > MAX_UNITS && (
        <div className="view-note">Showing the first {MAX_UNITS} of {selected.length} selected units.</div>
      )}
      <div style={{ width: (cellWidth + 6) * shown.length + 16 }}>
        <PlotGrid items={items} cellWidth={cellWidth} cellHeight={cellHeight} draw={draw} height={height - (selected.length > MAX_UNITS ? 24 : 0)} />
      </div>
    </div>
  )
}

export const crossCorrelogramsView = defineView(decodeCrossCorrelograms, CrossCorrelogramsView, { showsSelection: true })
