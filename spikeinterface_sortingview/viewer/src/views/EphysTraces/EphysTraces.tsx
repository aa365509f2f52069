// EphysTraces: raw traces read on demand from the runner, channels stacked by depth, pan/zoom in time,
// gain and an optional band-pass, with the sorting's spikes as unit-coloured ticks.
import { useTask } from '../../compute/useTask'
import { computeErrorText } from '../../compute/computeClient'
import { optStr } from '../decode'
import { ViewMessage } from '../shared/Message'
import { defineView, type ViewProps } from '../viewDefinition'
import { TracesPlot } from './TracesPlot'
import { parseRecordingInfo, RECORDING_INFO_TASK } from './tracesTasks'

export interface EphysTracesData {
  format?: string
  uri?: string
  sortingUri?: string
}

/** The one recording format this viewer reads: a recording shared with spikeinterface-sortingview. */
export const RECORDING_FORMAT = 'spikeinterface-sortingview/recording'

function EphysTracesView({ data, width, height }: ViewProps<EphysTracesData>) {
  const readable = data.uri !== undefined && (data.format === undefined || data.format === RECORDING_FORMAT)
  const info = useTask(readable && data.uri ? { taskName: RECORDING_INFO_TASK, taskInput: { recording_uri: data.uri } } : undefined, parseRecordingInfo)
  if (!readable || !data.uri) {
    return (
      <ViewMessage>
        <strong>Raw traces</strong>
        <br />
        This viewer reads traces of recordings shared with spikeinterface-sortingview ({RECORDING_FORMAT})
        {data.format ? `; this figure names the format “${data.format}”` : ''}.
      </ViewMessage>
    )
  }
  if (info.status === 'error') {
    return (
      <ViewMessage tone="error">
        <span data-testid="compute-error">{computeErrorText(info.error, 'the traces of this recording')}</span>
        <br />
        Recording: <code>{data.uri}</code>
      </ViewMessage>
    )
  }
  if (info.status !== 'ready') {
    return (
      <ViewMessage>
        <span className="spinner" aria-hidden="true" />
        <span data-testid="compute-loading">Reading the recording’s description from the runner…</span>
      </ViewMessage>
    )
  }
  return <TracesPlot info={info.value} recordingUri={data.uri} sortingUri={data.sortingUri} width={width} height={height} />
}

export const ephysTracesView = defineView(
  (raw) => {
    const out: EphysTracesData = {}
    const f = optStr(raw.format)
    const u = optStr(raw.uri)
    const s = optStr(raw.sortingUri)
    if (f !== undefined) out.format = f
    if (u !== undefined) out.uri = u
    if (s !== undefined) out.sortingUri = s
    return out
  },
  EphysTracesView,
  { showsSelection: false },
)
