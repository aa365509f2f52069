// SortingSelection: the current unit selection, with select-all / clear / invert.
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import { unitKey } from '../../state/units'
import { defineView, type ViewProps } from '../viewDefinition'

function SortingSelectionView({ height }: ViewProps<Record<string, never>>) {
  const { selection, unitOrder } = useFigure()
  const selected = useSelection()
  return (
    <div className="curation-panel" style={{ maxHeight: height }}>
      <div className="curation-heading">
        {selected.length} of {unitOrder.ids.length} units selected
      </div>
      <div className="curation-selected">{selected.length === 0 ? <span className="muted">none</span> : selected.map(unitKey).join(', ')}</div>
      <div className="curation-buttons">
        <button type="button" onClick={() => selection.set([...unitOrder.ids])}>
          Select all
        </button>
        <button type="button" onClick={() => selection.set([])}>
          Clear
        </button>
        <button type="button" onClick={() => selection.set(unitOrder.ids.filter((u) => !isSelected(selected, u)))}>
          Invert
        </button>
      </div>
    </div>
  )
}

export const sortingSelectionView = defineView(() => ({}), SortingSelectionView, { showsSelection: true })
