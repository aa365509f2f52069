// Unit selection rules shared by all views: click selects, shift/ctrl/cmd-click adds or removes.
import { type UnitId, type UnitOrder, unitKey } from './units'

export type ClickMode = 'replace' | 'toggle'

export function clickMode(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): ClickMode {
  return e.shiftKey || e.ctrlKey || e.metaKey ? 'toggle' : 'replace'
}

/** The new selection after clicking a unit; always kept in canonical unit order. */
export function applyUnitClick(selected: readonly UnitId[], id: UnitId, mode: ClickMode, order: UnitOrder): UnitId[] {
  if (mode === 'replace') return [id]
  const has = selected.some((s) => unitKey(s) === unitKey(id))
  const next = has ? selected.filter((s) => unitKey(s) !== unitKey(id)) : [...selected, id]
  return order.sort(next)
}

/**
 * Arrow-key navigation in a list shown in `visibleOrder`: moves a single selection by `delta`
 * (starting from the first or last row when nothing is selected).
 */
export function moveSelection(selected: readonly UnitId[], visibleOrder: readonly UnitId[], delta: number): UnitId[] {
  if (visibleOrder.length === 0) return [...selected]
  const keys = visibleOrder.map(unitKey)
  const positions = selected.map((s) => keys.indexOf(unitKey(s))).filter((i) => i >= 0)
  let target: number
  if (positions.length === 0) target = delta > 0 ? 0 : visibleOrder.length - 1
  else target = delta > 0 ? Math.max(...positions) + delta : Math.min(...positions) + delta
  target = Math.max(0, Math.min(visibleOrder.length - 1, target))
  const id = visibleOrder[target]
  return id === undefined ? [...selected] : [id]
}

export function selectionAttribute(selected: readonly UnitId[]): string {
  return selected.map(unitKey).join(',')
}

export function isSelected(selected: readonly UnitId[], id: UnitId): boolean {
  const k = unitKey(id)
  return selected.some((s) => unitKey(s) === k)
}

/** Clicking a merged unit (several ids shown as one): selects the whole group, or toggles it as one. */
export function applyGroupClick(selected: readonly UnitId[], ids: readonly UnitId[], mode: ClickMode, order: UnitOrder): UnitId[] {
  if (ids.length === 1) return applyUnitClick(selected, ids[0] as UnitId, mode, order)
  if (mode === 'replace') return order.sort(ids)
  const keys = new Set(ids.map(unitKey))
  const allSelected = ids.every((id) => isSelected(selected, id))
  const rest = selected.filter((s) => !keys.has(unitKey(s)))
  return order.sort(allSelected ? rest : [...rest, ...ids])
}
