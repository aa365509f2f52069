// The root element of every leaf view: sizes it, decodes its data and exposes test hooks.
import { memo, useMemo } from 'react'
import type { LoadedView } from '../figure/loadFigure'
import { useSelection } from '../figure/FigureContext'
import { useElementSize } from '../layout/useElementSize'
import { selectionAttribute } from '../state/selection'
import { viewRegistry } from './registry'
import { ViewMessage } from './shared/Message'
import { ViewErrorBoundary } from './ViewErrorBoundary'

export function LeafView({ view }: { view: LoadedView | undefined }) {
  const [ref, size] = useElementSize<HTMLDivElement>()
  const def = view ? viewRegistry.get(view.type) : undefined
  const selected = useSelection()
  return (
    <div
      ref={ref}
      className="leaf-view"
      data-view-type={view?.type ?? 'missing'}
      data-view-id={view?.viewId}
      data-selected-units={def?.showsSelection ? selectionAttribute(selected) : undefined}
    >
      {size.width > 0 && size.height > 0 && <LeafContent view={view} width={size.width} height={size.height} />}
    </div>
  )
}

const LeafContent = memo(function LeafContent({ view, width, height }: { view: LoadedView | undefined; width: number; height: number }) {
  const def = view ? viewRegistry.get(view.type) : undefined
  // Decode once per data object; a decoding error becomes a message in the view's place.
  const decoded = useMemo((): { data?: unknown; error?: string } => {
    if (!view || !def || !view.data) return {}
    try {
      return { data: def.decode(view.data) }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }, [view, def])
  if (!view) return <ViewMessage tone="error">The layout refers to a view that is not in the figure.</ViewMessage>
  if (view.error) return <ViewMessage tone="error">{view.error}</ViewMessage>
  if (!def) return <ViewMessage>This viewer does not know the view type “{view.type}”.</ViewMessage>
  if (decoded.error) return <ViewMessage tone="error">The {view.type} data is not valid: {decoded.error}</ViewMessage>
  const { Component } = def
  return (
    <ViewErrorBoundary viewType={view.type}>
      <Component data={decoded.data} width={width} height={height} />
    </ViewErrorBoundary>
  )
})
