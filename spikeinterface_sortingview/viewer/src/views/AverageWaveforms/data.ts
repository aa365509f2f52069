// AverageWaveforms data: per unit a (num_channels, num_samples) mean waveform and optional spread.
import type { UnitId } from '../../state/units'
import { channelLocations, type ChannelLocations, list, type Matrix, matrix, optList, optStr, rec, unitId } from '../decode'

export interface AverageWaveformItem {
  unitId: UnitId
  channelIds: string[]
  waveform: Matrix
  waveformStdDev?: Matrix
  /** 2 or 4 arrays, outermost first */
  waveformPercentiles?: Matrix[]
}

export interface AverageWaveformsData {
  averageWaveforms: AverageWaveformItem[]
  channelLocations: ChannelLocations
  showReferenceProbe: boolean
  /** This project's extensions: the shared sorting (and sometimes recording) behind the templates */
  sortingUri?: string
  recordingUri?: string
}

export function decodeAverageWaveforms(raw: Record<string, unknown>): AverageWaveformsData {
  const items = list(raw.averageWaveforms, 'averageWaveforms').map((x, i): AverageWaveformItem => {
    const p = `averageWaveforms[${i}]`
    const r = rec(x, p)
    const channelIds = list(r.channelIds, `${p}.channelIds`).map(String)
    const waveform = matrix(r.waveform, `${p}.waveform`)
    if (waveform.rows !== channelIds.length) {
      throw new Error(`${p}.waveform has ${waveform.rows} rows but there are ${channelIds.length} channels (expected shape (num_channels, num_samples))`)
    }
    const item: AverageWaveformItem = { unitId: unitId(r.unitId, `${p}.unitId`), channelIds, waveform }
    if (r.waveformStdDev !== undefined && r.waveformStdDev !== null) item.waveformStdDev = matrix(r.waveformStdDev, `${p}.waveformStdDev`)
    const pct = optList(r.waveformPercentiles, `${p}.waveformPercentiles`)
    if (pct.length === 2 || pct.length === 4) item.waveformPercentiles = pct.map((m, j) => matrix(m, `${p}.waveformPercentiles[${j}]`))
    return item
  })
  const data: AverageWaveformsData = {
    averageWaveforms: items,
    channelLocations: channelLocations(raw.channelLocations, 'channelLocations'),
    showReferenceProbe: raw.showReferenceProbe === true,
  }
  const sortingUri = optStr(raw.sortingUri)
  const recordingUri = optStr(raw.recordingUri)
  if (sortingUri) data.sortingUri = sortingUri
  if (recordingUri) data.recordingUri = recordingUri
  return data
}
