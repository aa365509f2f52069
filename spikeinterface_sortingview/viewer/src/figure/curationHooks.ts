// The parts of the figure's curation a view uses, each its own subscription: a view showing merged units renders
// again on a merge, not on a label, and the units table not on a change of label choices or of the history.
import type { SortingCuration } from '../state/curation'
import type { SplitRecord } from '../state/curationUnits'
import { useStoreSlice } from '../state/store'
import type { UnitId } from '../state/units'
import { useFigure } from './FigureContext'

const NONE: readonly never[] = []

function useCurationSlice<S>(select: (c: SortingCuration) => S): S {
  return useStoreSlice(useFigure().curation.curation, select)
}

/**
 * The curation's merge groups (the same array until a merge, an unmerge or the undo of one changes them). With
 * `enabled` false (a view that shows merged units only when it can compute them), none, and no renders on merges.
 */
export function useMergeGroups(enabled = true): readonly (readonly UnitId[])[] {
  return useCurationSlice((c) => (enabled ? c.mergeGroups : NONE))
}

export function useLabelsByUnit(): Readonly<Record<string, readonly string[]>> {
  return useCurationSlice((c) => c.labelsByUnit)
}

export function useSplits(): readonly SplitRecord[] {
  return useCurationSlice((c) => c.splits ?? NONE)
}

export function useRemovedUnits(): readonly UnitId[] {
  return useCurationSlice((c) => c.removedUnits ?? NONE)
}

export function useLabelDefinitions(): SortingCuration['labelDefinitions'] {
  return useCurationSlice((c) => c.labelDefinitions)
}

export function useCurationClosed(): boolean {
  return useCurationSlice((c) => c.isClosed)
}
