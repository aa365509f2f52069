// The one place a confirmed split leaves the split UI: the SPLIT_UNIT curation action (docs/curation.md).
import type { CurationController } from '../../figure/curationController'
import { splitUnit } from '../../state/curation'
import type { DisplayUnit } from '../../state/mergeDisplay'
import type { UnitId } from '../../state/units'

export interface SplitUnitAction {
  type: 'SPLIT_UNIT'
  /** The unit as the page shows it: an original id, or a merge group's display id ("3+7") */
  unitId: UnitId
  /** Sorted 0-based numbers, into the unit's full time-ordered spike train, of the spikes of one new part */
  indices: number[]
}

/** Event fired on `window` with each split sent to the curation (for the page's host and the browser tests). */
export const SPLIT_EVENT = 'sortingview:split-unit'

/** The id a split names a displayed unit by. */
export function splitUnitId(unit: DisplayUnit): UnitId {
  return unit.merged ? unit.key : (unit.unitIds[0] as UnitId)
}

/** Sends a split to the curation (the URL state, and the runner's journal when there is one). */
export function dispatchSplit(curation: CurationController, unitId: UnitId, indices: number[]): SplitUnitAction {
  const action = splitUnit(unitId, indices)
  curation.dispatch(action)
  window.dispatchEvent(new CustomEvent<SplitUnitAction>(SPLIT_EVENT, { detail: action }))
  return action
}
