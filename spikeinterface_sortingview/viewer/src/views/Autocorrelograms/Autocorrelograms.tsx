// Autocorrelograms: one small histogram per unit in a scrolling grid.
import { useCallback, useMemo } from 'react'
import { useFigure } from '../../figure/FigureContext'
import type { UnitId } from '../../state/units'
import { list, numbers, rec, unitId } from '../decode'
import { type Correlogram, drawCorrelogram } from '../shared/correlogram'
import { gridCellSize, type GridItem, PlotGrid } from '../shared/PlotGrid'
import { defineView, type ViewProps } from '../viewDefinition'

interface AutocorrelogramItem extends Correlogram {
  unitId: UnitId
}

export interface AutocorrelogramsData {
  autocorrelograms: AutocorrelogramItem[]
}

export function decodeAutocorrelograms(raw: Record<string, unknown>): AutocorrelogramsData {
  return {
    autocorrelograms: list(raw.autocorrelograms, 'autocorrelograms').map((x, i) => {
      const r = rec(x, `autocorrelograms[${i}]`)
      return {
        unitId: unitId(r.unitId, `autocorrelograms[${i}].unitId`),
        binEdgesSec: numbers(r.binEdgesSec, `autocorrelograms[${i}].binEdgesSec`),
        binCounts: numbers(r.binCounts, `autocorrelograms[${i}].binCounts`),
      }
    }),
  }
}

type Item = GridItem & { correlogram: Correlogram; unitId: UnitId }

function AutocorrelogramsView({ data, width, height }: ViewProps<AutocorrelogramsData>) {
  const { unitOrder } = useFigure()
  const items = useMemo<Item[]>(
    () =>
      unitOrder
        .sort(data.autocorrelograms.map((a) => a.unitId))
        .map((id) => data.autocorrelograms.find((a) => a.unitId === id))
        .filter((a): a is AutocorrelogramItem => a !== undefined)
        .map((a) => ({ key: String(a.unitId), unitId: a.unitId, title: `Unit ${a.unitId}`, correlogram: a })),
    [data, unitOrder],
  )
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) =>
      drawCorrelogram(ctx, w, h, item.correlogram, unitOrder.color(item.unitId), true),
    [unitOrder],
  )
  const cell = gridCellSize(width, 170, 0.75)
  return <PlotGrid items={items} cellWidth={cell.width} cellHeight={cell.height} draw={draw} height={height} />
}

export const autocorrelogramsView = defineView(decodeAutocorrelograms, AutocorrelogramsView, { showsSelection: true })
