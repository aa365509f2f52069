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
  // Until its data arrives a view is a placeholder, marked data-view-loading (data-view-type marks a view shown).
  if (view?.loading) {
    return (
      <div ref={ref} className="leaf-view" data-view-loading={view.type} data-view-id={view.viewId}>
        <ViewLoading type={view.type} loaded={view.loading.loaded} total={view.loading.total} />
      </div>
    )
  }
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

/** A view whose data is on its way: what it is, and how much of its file has arrived. */
function ViewLoading({ type, loaded, total }: { type: string; loaded: number; total: number }) {
  const megabytes = (n: number): string => (n / 1e6).toFixed(n < 1e7 ? 1 : 0)
  const amount = loaded <= 0 ? '' : total > 0 ? ` · ${megabytes(loaded)} of ${megabytes(total)} MB` : ` · ${megabytes(loaded)} MB`
  return (
    <div className="view-loading" role="status">
      <span>
        Loading {type}…{amount}
      </span>
      {total > 0 && (
        <div className="view-loading-bar" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={loaded}>
          <div style={{ width: `${Math.min(100, (100 * loaded) / total)}%` }} />
        </div>
      )}
    </div>
  )
}
