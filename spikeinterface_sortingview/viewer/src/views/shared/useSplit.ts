// The state of a split in one view: lasso mode, the polygon drawn, the runner's preview, confirm and cancel.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { type TaskState, useTask } from '../../compute/useTask'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { type DisplayUnit, displayUnits, figureUnitsOf } from '../../state/mergeDisplay'
import { useMergeGroups } from '../../figure/curationHooks'
import type { Point } from './lasso'
import { dispatchSplit, type SplitUnitAction, splitUnitId } from './splitAction'
import { parseSplitReply, type SplitPreviewData, type SplitSource, splitRequest } from './splitRequest'

export interface SplitState {
  /** The view can split (it names the data the runner needs) */
  available: boolean
  /** The one displayed unit selected, the unit a lasso splits */
  target?: DisplayUnit
  lassoActive: boolean
  setLassoActive: (on: boolean) => void
  /** The polygon in the view's feature space, while its preview is shown */
  polygon?: Point[]
  propose: (polygon: Point[]) => void
  preview: TaskState<SplitPreviewData>
  confirm: () => void
  cancel: () => void
  /** The last split confirmed in this view */
  done?: SplitUnitAction
}

export function useSplit(source: SplitSource | undefined): SplitState {
  const { curation, unitOrder } = useFigure()
  const selected = useSelection()
  const mergeGroups = useMergeGroups()
  // The sorting's units only: a part selected in the units table ("7.1") has no spikes the runner can select from.
  const targets = useMemo(() => displayUnits(unitOrder.sort(figureUnitsOf(selected, unitOrder)), mergeGroups, unitOrder), [selected, mergeGroups, unitOrder])
  // The same unit keeps the same object, so a merge of other units does not redraw the views that use it.
  const lastTarget = useRef<DisplayUnit>(undefined)
  const next = targets.length === 1 ? targets[0] : undefined
  if (next?.key !== lastTarget.current?.key) lastTarget.current = next
  const target = lastTarget.current
  const [lassoActive, setLassoActive] = useState(false)
  const [polygon, setPolygon] = useState<Point[]>()
  const [done, setDone] = useState<SplitUnitAction>()
  const targetKey = target?.key
  // A polygon belongs to the unit it was drawn on.
  useEffect(() => setPolygon(undefined), [targetKey])
  const request = useMemo(() => (source && target && polygon ? splitRequest(source, target, polygon) : undefined), [source, target, polygon])
  const preview = useTask(request, parseSplitReply)
  const confirm = useCallback(() => {
    if (!target || preview.status !== 'ready') return
    setDone(dispatchSplit(curation, splitUnitId(target), preview.value.indices))
    setPolygon(undefined)
    setLassoActive(false)
  }, [target, preview, curation])
  const cancel = useCallback(() => setPolygon(undefined), [])
  const propose = useCallback((p: Point[]) => {
    setDone(undefined)
    setPolygon(p)
  }, [])
  return { available: source !== undefined, target, lassoActive, setLassoActive, polygon, propose, preview, confirm, cancel, done }
}
