// PlotlyFigure: a plotly figure dict drawn with plotly.js, sized to the view (plotly.js is loaded on first use).
import { useEffect, useRef, useState } from 'react'
import { ViewMessage } from '../shared/Message'
import { defineView, type ViewProps } from '../viewDefinition'
import { loadPlotly } from './loadPlotly'
import { decodePlotlyFigure, type PlotlyFigureData } from './plotlyFigureData'

type Plotly = PlotlyApi

function PlotlyFigureView({ data, width, height }: ViewProps<PlotlyFigureData>) {
  const rootRef = useRef<HTMLDivElement | null>(null)
  const [plotly, setPlotly] = useState<Plotly>()
  const [error, setError] = useState<string>()

  useEffect(() => {
    let live = true
    loadPlotly().then(
      (p) => live && setPlotly(() => p),
      (e: unknown) => live && setError(`plotly.js could not be loaded: ${e instanceof Error ? e.message : String(e)}`),
    )
    return () => {
      live = false
    }
  }, [])

  useEffect(() => {
    const root = rootRef.current
    if (!plotly || !root) return
    // plotly writes into the layout it is given (computed ranges): give it a copy, sized to the view.
    const layout = { ...structuredClone(data.layout), width, height, autosize: false }
    const figure = { data: structuredClone(data.data), layout, config: { displaylogo: false, responsive: false } }
    plotly.react(root, data.frames ? { ...figure, frames: structuredClone(data.frames) } : figure).catch((e: unknown) => {
      setError(`plotly could not draw the figure: ${e instanceof Error ? e.message : String(e)}`)
    })
  }, [plotly, data, width, height])

  useEffect(() => {
    const root = rootRef.current
    return () => {
      if (root) void loadPlotly().then((p) => p.purge(root), () => undefined)
    }
  }, [])

  if (error) return <ViewMessage tone="error">{error}</ViewMessage>
  return (
    <div className="plotly-figure" data-testid="plotly-figure" data-loaded={plotly ? 'true' : 'false'} style={{ width, height, position: 'relative' }}>
      {!plotly && (
        <div style={{ position: 'absolute', inset: 0 }}>
          <ViewMessage>Loading plotly…</ViewMessage>
        </div>
      )}
      <div ref={rootRef} style={{ width, height }} />
    </div>
  )
}

export const plotlyFigureView = defineView(decodePlotlyFigure, PlotlyFigureView, { showsSelection: false })
