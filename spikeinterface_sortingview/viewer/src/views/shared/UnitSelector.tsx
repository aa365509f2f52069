// A checkbox list of a view's units driving the shared selection (for views shown without a units table).
import { useEffect } from 'react'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { applyUnitClick, isSelected } from '../../state/selection'
import { type UnitId, unitKey } from '../../state/units'

export const UNIT_SELECTOR_WIDTH = 92

export function UnitSelector({ unitIds, height }: { unitIds: readonly UnitId[]; height: number }) {
  const { unitOrder, selection } = useFigure()
  const selected = useSelection()
  return (
    <div className="unit-selector" data-testid="unit-selector" style={{ height }}>
      <div className="unit-selector-title">Units</div>
      {unitIds.map((id) => (
        <label key={unitKey(id)} data-unit-id={unitKey(id)}>
          <input
            type="checkbox"
            checked={isSelected(selected, id)}
            onChange={() => selection.set(applyUnitClick(selection.get(), id, 'toggle', unitOrder))}
          />
          <span className="unit-swatch" style={{ background: unitOrder.color(id) }} />
          {unitKey(id)}
        </label>
      ))}
    </div>
  )
}

/**
 * Selects the first `count` units once, when the view appears with nothing selected: a view with its own
 * unit selector should not open empty.
 */
export function useDefaultSelection(enabled: boolean, unitIds: readonly UnitId[], count: number): void {
  const { selection, unitOrder } = useFigure()
  useEffect(() => {
    if (!enabled || selection.get().length > 0) return
    selection.set(unitOrder.sort(unitIds).slice(0, count))
    // Only when the view first appears: later, an empty selection is the user's choice.
  }, [])
}
