// PlotlyFigure: plotly is not bundled (it would triple the viewer's size); say what the figure holds.
import { isRecord } from '../../protocol/messages'
import { ViewMessage } from '../shared/Message'
import { defineView, type ViewProps } from '../viewDefinition'

export interface PlotlyFigureData {
  title?: string
  traces: string[]
}

export function decodePlotlyFigure(raw: Record<string, unknown>): PlotlyFigureData {
  const fig = isRecord(raw.fig) ? raw.fig : {}
  const traces = Array.isArray(fig.data) ? fig.data.map((t) => (isRecord(t) ? `${String(t.type ?? 'scatter')}${t.name ? ` "${String(t.name)}"` : ''}` : '?')) : []
  const layout = isRecord(fig.layout) ? fig.layout : {}
  const title = isRecord(layout.title) ? layout.title.text : layout.title
  return typeof title === 'string' ? { title, traces } : { traces }
}

function PlotlyFigureView({ data }: ViewProps<PlotlyFigureData>) {
  return (
    <ViewMessage>
      <strong>Plotly figure{data.title ? `: ${data.title}` : ''}</strong>
      <br />
      This viewer does not bundle plotly, so the figure is not drawn here.
      {data.traces.length > 0 && <> It has {data.traces.length} trace(s): {data.traces.join(', ')}.</>}
    </ViewMessage>
  )
}

export const plotlyFigureView = defineView(decodePlotlyFigure, PlotlyFigureView, { showsSelection: false })
