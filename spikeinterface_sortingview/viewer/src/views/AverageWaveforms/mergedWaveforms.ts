// The average waveform of a merged unit: exactly, from the runner (it has the recording), or as the
// spike-count-weighted mean of the members' stored templates.
import type { TaskReply } from '../../compute/computeClient'
import type { TaskRequest } from '../../compute/useTask'
import { isRecord } from '../../protocol/messages'
import type { DisplayUnit } from '../../state/mergeDisplay'
import type { UnitId } from '../../state/units'
import { list, type Matrix, matrix } from '../decode'
import type { AverageWaveformItem } from './data'

export const AVERAGE_WAVEFORMS_TASK = 'sortingview.average_waveforms.1'

/** Channels of the members' stored waveforms, in order of first appearance (sparse templates differ). */
export function unionChannels(parts: readonly AverageWaveformItem[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const p of parts) {
    for (const c of p.channelIds) {
      if (seen.has(c)) continue
      seen.add(c)
      out.push(c)
    }
  }
  return out
}

export function averageWaveformsRequest(recordingUri: string, sortingUri: string, unit: DisplayUnit, channelIds: readonly string[]): TaskRequest {
  const taskInput: Record<string, unknown> = { recording_uri: recordingUri, sorting_uri: sortingUri, unit_ids: unit.unitIds }
  if (channelIds.length > 0) taskInput.channel_ids = channelIds
  return { taskName: AVERAGE_WAVEFORMS_TASK, taskInput }
}

export interface ComputedWaveform {
  item: AverageWaveformItem
  numSpikes: number
}

export function parseAverageWaveformsReply(reply: TaskReply): ComputedWaveform {
  const r = reply.result
  if (!isRecord(r)) throw new Error('the average waveforms answer is not an object')
  const unitIds = list(r.unitIds, 'unitIds') as UnitId[]
  const channelIds = list(r.channelIds, 'channelIds').map(String)
  const waveform = matrix(r.waveform, 'waveform')
  if (waveform.rows !== channelIds.length) throw new Error(`waveform has ${waveform.rows} rows for ${channelIds.length} channels`)
  const item: AverageWaveformItem = { unitId: unitIds[0] ?? '', channelIds, waveform }
  if (r.waveformStdDev !== undefined && r.waveformStdDev !== null) item.waveformStdDev = matrix(r.waveformStdDev, 'waveformStdDev')
  return { item, numSpikes: typeof r.numSpikes === 'number' ? r.numSpikes : 0 }
}

/**
 * Mean of the members' templates weighted by their spike counts, channel by channel over the members that
 * have the channel. The spread, where every such member has one, is the mixture's: the weighted mean of
 * (std² + mean²) minus the merged mean², which is what the merged spikes' std would be.
 */
export function weightedMeanWaveform(unitId: UnitId, parts: readonly AverageWaveformItem[], weights: readonly number[]): AverageWaveformItem {
  if (parts.length === 0) throw new Error('no templates to merge')
  const n = (parts[0] as AverageWaveformItem).waveform.cols
  if (parts.some((p) => p.waveform.cols !== n)) throw new Error('the units’ templates have different lengths')
  // Zero or unknown counts everywhere: fall back to equal weights rather than dividing by zero.
  const w = weights.length === parts.length && weights.some((x) => x > 0) ? weights.map((x) => Math.max(0, x)) : parts.map(() => 1)
  const channelIds = unionChannels(parts)
  const rowOf = parts.map((p) => new Map(p.channelIds.map((c, i) => [c, i])))
  const mean = new Float32Array(channelIds.length * n)
  const withSpread = parts.every((p) => p.waveformStdDev !== undefined)
  const spread = withSpread ? new Float32Array(channelIds.length * n) : undefined
  channelIds.forEach((c, row) => {
    let wsum = 0
    const acc = new Float64Array(n)
    const sq = new Float64Array(n)
    parts.forEach((p, k) => {
      const r = rowOf[k]?.get(c)
      const wk = w[k] as number
      if (r === undefined || wk === 0) return
      wsum += wk
      for (let j = 0; j < n; j++) {
        const m = Number(p.waveform.data[r * n + j])
        acc[j] = (acc[j] as number) + wk * m
        if (p.waveformStdDev) {
          const s = Number(p.waveformStdDev.data[r * n + j])
          sq[j] = (sq[j] as number) + wk * (s * s + m * m)
        }
      }
    })
    if (wsum === 0) return
    for (let j = 0; j < n; j++) {
      const m = (acc[j] as number) / wsum
      mean[row * n + j] = m
      if (spread) spread[row * n + j] = Math.sqrt(Math.max(0, (sq[j] as number) / wsum - m * m))
    }
  })
  const asMatrix = (data: Float32Array): Matrix => ({ data, rows: channelIds.length, cols: n })
  const item: AverageWaveformItem = { unitId, channelIds, waveform: asMatrix(mean) }
  if (spread) item.waveformStdDev = asMatrix(spread)
  return item
}
