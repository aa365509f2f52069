// EphysTraces: traces are read on demand through the runner's compute API, which is not wired in yet.
import { optStr } from '../decode'
import { ViewMessage } from '../shared/Message'
import { defineView, type ViewProps } from '../viewDefinition'

export interface EphysTracesData {
  format?: string
  uri?: string
}

function EphysTracesView({ data }: ViewProps<EphysTracesData>) {
  return (
    <ViewMessage>
      <strong>Raw traces</strong>
      <br />
      Showing traces needs the runner's compute API (traces are read on demand, not stored in the figure).
      {data.uri && (
        <>
          <br />
          Recording: <code>{data.uri}</code>
          {data.format ? ` (${data.format})` : ''}
        </>
      )}
    </ViewMessage>
  )
}

export const ephysTracesView = defineView(
  (raw) => {
    const out: EphysTracesData = {}
    const f = optStr(raw.format)
    const u = optStr(raw.uri)
    if (f !== undefined) out.format = f
    if (u !== undefined) out.uri = u
    return out
  },
  EphysTracesView,
  { showsSelection: false },
)
