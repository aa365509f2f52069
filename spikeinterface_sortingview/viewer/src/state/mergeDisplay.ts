// Units as the curation shows them: a merge group stands in for its members as one unit ("3+7").
import { type UnitId, type UnitOrder, unitKey } from './units'

export interface DisplayUnit {
  /** '3' for a unit, '3+7' for a merge group; also its label */
  key: string
  /** The members in canonical order (one id for a plain unit) */
  unitIds: UnitId[]
  merged: boolean
}

export function groupKey(ids: readonly UnitId[]): string {
  return ids.map(unitKey).join('+')
}

export function plainUnit(id: UnitId): DisplayUnit {
  return { key: unitKey(id), unitIds: [id], merged: false }
}

/**
 * `ids` with each unit of a merge group replaced by its whole group, once, where the first of its members
 * appears. Members missing from `ids` still belong to the group (selecting 3 of 3+7 shows 3+7).
 */
export function displayUnits(ids: readonly UnitId[], mergeGroups: readonly (readonly UnitId[])[], order: UnitOrder): DisplayUnit[] {
  const groupOf = new Map<string, readonly UnitId[]>()
  for (const g of mergeGroups) for (const u of g) groupOf.set(unitKey(u), g)
  const out: DisplayUnit[] = []
  const seen = new Set<string>()
  for (const id of ids) {
    const g = groupOf.get(unitKey(id))
    const d: DisplayUnit = g ? { key: '', unitIds: order.sort(g), merged: true } : plainUnit(id)
    d.key = groupKey(d.unitIds)
    if (seen.has(d.key)) continue
    seen.add(d.key)
    out.push(d)
  }
  return out
}

/** How a task input names a display unit: one id, or the list of a merge group's ids. */
export function unitGroupInput(d: DisplayUnit): UnitId | UnitId[] {
  return d.merged ? d.unitIds : (d.unitIds[0] as UnitId)
}

/**
 * The selected units the figure has: without the parts of split units ("7.1"), which the units table and the
 * curation panel select but views drawing the sorting's units cannot show or compute.
 */
export function figureUnitsOf(selected: readonly UnitId[], order: UnitOrder): UnitId[] {
  return selected.filter((id) => order.index(id) >= 0)
}
