// Applies a click on a unit to the shared selection using the common modifier-key rules.
import { useCallback } from 'react'
import { useFigure } from '../../figure/FigureContext'
import { applyGroupClick, applyUnitClick, clickMode } from '../../state/selection'
import type { UnitId } from '../../state/units'

export type ModifierKeys = { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }

export function useUnitClick(): (id: UnitId, e: ModifierKeys) => void {
  const { selection, unitOrder } = useFigure()
  return useCallback(
    (id: UnitId, e: ModifierKeys) => selection.set(applyUnitClick(selection.get(), id, clickMode(e), unitOrder)),
    [selection, unitOrder],
  )
}

/** Like useUnitClick for a merged unit shown as one: the click applies to all its ids. */
export function useGroupClick(): (ids: readonly UnitId[], e: ModifierKeys) => void {
  const { selection, unitOrder } = useFigure()
  return useCallback(
    (ids: readonly UnitId[], e: ModifierKeys) => selection.set(applyGroupClick(selection.get(), ids, clickMode(e), unitOrder)),
    [selection, unitOrder],
  )
}
