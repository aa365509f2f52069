// Summary (SortingSummary): the recording and sorting at a glance.
import { isRecord } from '../../protocol/messages'
import { channelLocations, optList, optNum, optStr } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface SummaryData {
  recordingDescription?: string
  sortingDescription?: string
  numUnits: number
  numChannels: number
  samplingFrequency?: number
  numFrames?: number
  numSegments?: number
  noiseLevel?: number
  numChannelLocations: number
}

export function decodeSummary(raw: Record<string, unknown>): SummaryData {
  const out: SummaryData = {
    numUnits: optList(raw.unitIds, 'unitIds').length,
    numChannels: optList(raw.channelIds, 'channelIds').length,
    numChannelLocations: isRecord(raw.channelLocations) ? channelLocations(raw.channelLocations, 'channelLocations').size : 0,
  }
  const s1 = optStr(raw.recordingDescription)
  const s2 = optStr(raw.sortingDescription)
  if (s1 !== undefined) out.recordingDescription = s1
  if (s2 !== undefined) out.sortingDescription = s2
  const fs = optNum(raw.samplingFrequency)
  const nf = optNum(raw.numFrames)
  const ns = optNum(raw.numSegments)
  const nl = optNum(raw.noiseLevel)
  if (fs !== undefined) out.samplingFrequency = fs
  if (nf !== undefined) out.numFrames = nf
  if (ns !== undefined) out.numSegments = ns
  if (nl !== undefined) out.noiseLevel = nl
  return out
}

function SummaryView({ data, height }: ViewProps<SummaryData>) {
  const duration = data.numFrames !== undefined && data.samplingFrequency ? data.numFrames / data.samplingFrequency : undefined
  const rows: [string, string][] = [
    ['Recording', data.recordingDescription ?? ''],
    ['Sorting', data.sortingDescription ?? ''],
    ['Units', String(data.numUnits)],
    ['Channels', String(data.numChannels)],
    ['Sampling frequency', data.samplingFrequency !== undefined ? `${data.samplingFrequency} Hz` : ''],
    ['Frames', data.numFrames !== undefined ? String(data.numFrames) : ''],
    ['Duration', duration !== undefined ? `${duration.toFixed(2)} s` : ''],
    ['Segments', data.numSegments !== undefined ? String(data.numSegments) : ''],
    ['Noise level', data.noiseLevel !== undefined ? data.noiseLevel.toPrecision(4) : ''],
  ]
  return (
    <div className="scroll-view" style={{ height }}>
      <table className="kv-table">
        <tbody>
          {rows
            .filter(([, v]) => v !== '')
            .map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  )
}

export const summaryView = defineView(decodeSummary, SummaryView, { showsSelection: false })
