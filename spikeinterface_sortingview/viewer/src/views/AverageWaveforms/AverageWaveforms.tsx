// AverageWaveforms: each unit's mean waveform drawn on its channels at their probe positions.
import { useCallback, useMemo, useState } from 'react'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { gridCellSize, type GridItem, PlotGrid } from '../shared/PlotGrid'
import { defineView, type ViewProps } from '../viewDefinition'
import { type AverageWaveformItem, type AverageWaveformsData, decodeAverageWaveforms } from './data'
import { drawUnitWaveforms } from './drawWaveforms'

type Item = GridItem & { unitId: UnitId; waveforms: AverageWaveformItem }

function AverageWaveformsView({ data, width, height }: ViewProps<AverageWaveformsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const [ampScale, setAmpScale] = useState(1)
  const [onlySelected, setOnlySelected] = useState(false)
  const allItems = useMemo<Item[]>(() => {
    const byKey = new Map(data.averageWaveforms.map((w) => [String(w.unitId), w]))
    return unitOrder
      .sort(data.averageWaveforms.map((w) => w.unitId))
      .map((id) => byKey.get(String(id)))
      .filter((w): w is AverageWaveformItem => w !== undefined)
      .map((w) => ({ key: String(w.unitId), unitId: w.unitId, title: `Unit ${w.unitId}`, waveforms: w }))
  }, [data, unitOrder])
  const items = useMemo(
    () => (onlySelected ? allItems.filter((i) => isSelected(selected, i.unitId)) : allItems),
    [allItems, onlySelected, selected],
  )
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) =>
      drawUnitWaveforms(ctx, w, h, item.waveforms, data.channelLocations, unitOrder.color(item.unitId), ampScale),
    [data, unitOrder, ampScale],
  )
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
      <PlotGrid items={items} cellWidth={cell.width} cellHeight={cell.height} draw={draw} drawVersion={String(ampScale)} height={height - 30} />
    </div>
  )
}

export const averageWaveformsView = defineView(decodeAverageWaveforms, AverageWaveformsView, { showsSelection: true })
