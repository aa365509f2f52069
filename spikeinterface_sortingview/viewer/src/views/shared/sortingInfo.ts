// sortingview.sorting_info.1: the units of a shared sorting and their spike counts.
import type { TaskReply } from '../../compute/computeClient'
import type { TaskRequest } from '../../compute/useTask'
import { isRecord } from '../../protocol/messages'
import { unitKey } from '../../state/units'
import { list } from '../decode'

export const SORTING_INFO_TASK = 'sortingview.sorting_info.1'

export interface SortingInfo {
  /** Spike count by unit key */
  spikeCounts: Map<string, number>
  samplingFrequency: number
}

export function sortingInfoRequest(sortingUri: string): TaskRequest {
  return { taskName: SORTING_INFO_TASK, taskInput: { sorting_uri: sortingUri } }
}

export function parseSortingInfo(reply: TaskReply): SortingInfo {
  const r = reply.result
  if (!isRecord(r)) throw new Error('the sorting info is not an object')
  const ids = list(r.unitIds, 'unitIds')
  const counts = list(r.spikeCounts, 'spikeCounts')
  if (ids.length !== counts.length) throw new Error('unitIds and spikeCounts differ in length')
  const spikeCounts = new Map<string, number>()
  ids.forEach((id, i) => spikeCounts.set(unitKey(id as string | number), Number(counts[i])))
  return { spikeCounts, samplingFrequency: Number(r.samplingFrequency) }
}
