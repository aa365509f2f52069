// Shared state of one open figure (unit colours, selection, time window, curation), provided to all views.
import { createContext, useContext } from 'react'
import type { ComputeClient } from '../compute/computeClient'
import { Store, useStore } from '../state/store'
import type { TimeRange } from '../state/timeRange'
import type { UnitId, UnitOrder } from '../state/units'
import type { CurationController } from './curationController'
import type { HostConnection } from './hostConnection'

export interface FigureState {
  host: HostConnection
  /** Compute requests to the runner, answers cached for the life of the page */
  compute: ComputeClient
  unitOrder: UnitOrder
  selection: Store<UnitId[]>
  timeRange: Store<TimeRange | undefined>
  curation: CurationController
  /** True when the figure has a curation view, so tables show label and merge columns */
  hasCurationView: boolean
}

export const FigureContext = createContext<FigureState | null>(null)

export function useFigure(): FigureState {
  const f = useContext(FigureContext)
  if (!f) throw new Error('useFigure outside a figure')
  return f
}

export function useSelection(): UnitId[] {
  return useStore(useFigure().selection)
}

export function createFigureState(
  host: HostConnection,
  compute: ComputeClient,
  unitOrder: UnitOrder,
  curation: CurationController,
  hasCurationView: boolean,
): FigureState {
  return {
    host,
    compute,
    unitOrder,
    selection: new Store<UnitId[]>([]),
    timeRange: new Store<TimeRange | undefined>(undefined),
    curation,
    hasCurationView,
  }
}
