// The figure view: connect to the host, read the figure's document, render the layout at once, and each view as
// soon as its own data arrives (a placeholder with its download progress until then).
import { useEffect, useState } from 'react'
import { ComputeClient } from '../compute/computeClient'
import { LayoutView } from '../layout/LayoutView'
import { type UnitId, UnitOrder } from '../state/units'
import { CURATION_VIEW_TYPES } from '../views/registry'
import { CurationController } from './curationController'
import { createFigureState, FigureContext, type FigureState } from './FigureContext'
import { findHost, HostConnection } from './hostConnection'
import { type LoadedView, loadViews, openFigure } from './loadFigure'
import type { LayoutNode } from '../layout/types'
import type { JobProgress } from './summaryJob'

interface OpenFigure {
  layout: LayoutNode
  views: ReadonlyMap<string, LoadedView>
  state: FigureState
  /** Every view has arrived (or failed) */
  loaded: boolean
}

type Phase =
  | { kind: 'connecting' }
  | { kind: 'computing'; progress: JobProgress }
  | { kind: 'loading' }
  | ({ kind: 'open' } & OpenFigure)
  | { kind: 'error'; message: string }

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'connecting' })
  useEffect(() => {
    let live = true
    const update = (change: (figure: OpenFigure) => Partial<OpenFigure>): void => {
      if (live) setPhase((ph) => (ph.kind === 'open' ? { ...ph, ...change(ph) } : ph))
    }
    const run = async (): Promise<void> => {
      const info = await findHost()
      const host = new HostConnection(info)
      setPhase({ kind: 'loading' })
      const doc = await openFigure(host, (progress) => live && setPhase({ kind: 'computing', progress }))
      const compute = new ComputeClient((serviceName, query) => host.request({ type: 'serviceQuery', serviceName, query }))
      const curation = new CurationController(host, compute, info.initialState)
      const hasCuration = [...doc.views.values()].some((v) => CURATION_VIEW_TYPES.has(v.type))
      // Every unit named by a view that has arrived. The order (and so each unit's colour) is that of all of
      // them: a view naming a unit no other view named gives the figure a new order, and every view redraws.
      const units = new Map<string, UnitId>(doc.unitIds)
      const state = createFigureState(host, compute, new UnitOrder(units.values()), curation, hasCuration)
      if (!live) return
      setPhase({ kind: 'open', layout: doc.layout, views: doc.views, state, loaded: doc.pending.length === 0 })

      // The curation the figure starts from (when the URL has none) is in its curation view, fetched first.
      const curationViews = new Set(doc.pending.filter((e) => CURATION_VIEW_TYPES.has(e.type)).map((e) => e.viewId))
      const arrived: LoadedView[] = [...doc.views.values()].filter((v) => v.data !== undefined)
      const startCuration = (): void => {
        // Not awaited: the journal's curation replaces the URL's when it arrives.
        void curation.restore(curationViewField(arrived, 'curation')).then(() => {
          const sortingUri = curationViewField(arrived, 'sortingUri')
          if (typeof sortingUri === 'string' && sortingUri !== '') void curation.connectRunner(sortingUri)
        })
      }
      if (curationViews.size === 0) startCuration()

      const uriViews = new Map<string, string[]>()
      for (const e of doc.pending) if (typeof e.dataUri === 'string') uriViews.set(e.dataUri, [...(uriViews.get(e.dataUri) ?? []), e.viewId])
      const stopProgress = host.onProgress(({ uri, loaded, total }) =>
        update((f) => {
          const ids = (uriViews.get(uri) ?? []).filter((id) => f.views.get(id)?.loading !== undefined)
          if (ids.length === 0) return {}
          const views = new Map(f.views)
          for (const id of ids) views.set(id, { ...(views.get(id) as LoadedView), loading: { loaded, total } })
          return { views }
        }),
      )
      await loadViews(host, doc.pending, (view, ids) => {
        let added = false
        for (const [key, id] of ids) {
          if (units.has(key)) continue
          units.set(key, id)
          added = true
        }
        const unitOrder = added ? new UnitOrder(units.values()) : undefined
        update((f) => ({
          views: new Map(f.views).set(view.viewId, view),
          state: unitOrder ? { ...f.state, unitOrder } : f.state,
        }))
        arrived.push(view)
        if (curationViews.delete(view.viewId) && curationViews.size === 0) startCuration()
      })
      stopProgress()
      update(() => ({ loaded: true }))
    }
    run().catch((err: unknown) => live && setPhase({ kind: 'error', message: err instanceof Error ? err.message : String(err) }))
    return () => {
      live = false
    }
  }, [])

  switch (phase.kind) {
    case 'connecting':
      return <div className="app-status">Connecting to the figure host…</div>
    case 'computing':
      return <SummaryProgress progress={phase.progress} />
    case 'loading':
      return (
        <div className="app-status" data-testid="figure-loading">
          Loading the figure…
        </div>
      )
    case 'error':
      return (
        <div className="app-status app-error" data-testid="figure-error">
          <strong>The figure could not be shown.</strong>
          <br />
          {phase.message}
        </div>
      )
    case 'open':
      return (
        <FigureContext.Provider value={phase.state}>
          <div className="figure-root" data-testid="figure-root" data-loaded={phase.loaded ? 'true' : 'false'}>
            <LayoutView node={phase.layout} views={phase.views} />
          </div>
        </FigureContext.Provider>
      )
  }
}

/** A field of the figure's curation view (`sortingUri`, or `curation`: the curation the figure starts from). */
function curationViewField(views: readonly LoadedView[], field: string): unknown {
  for (const v of views) if (v.type === 'SortingCuration2' && v.data?.[field] !== undefined) return v.data[field]
  return undefined
}

/** A summary the runner computes: which step it is at, a bar, and the list of steps. */
function SummaryProgress({ progress }: { progress: JobProgress }) {
  const steps = progress.steps ?? []
  const step = progress.step ?? 0
  const waiting = progress.status === 'waiting' || steps.length === 0
  return (
    <div className="app-status summary-progress" data-testid="summary-progress">
      <strong>The runner is computing this sorting summary</strong>
      {progress.elapsedSec !== undefined ? ` · ${progress.elapsedSec.toFixed(0)} s` : ''}
      <div className="summary-progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={steps.length} aria-valuenow={step}>
        <div style={{ width: `${steps.length ? (100 * step) / steps.length : 0}%` }} />
      </div>
      {waiting ? (
        <div>Waiting for a worker…</div>
      ) : (
        <ol className="summary-steps">
          {steps.map((name, i) => (
            <li key={name} className={i < step ? 'done' : i === step ? 'current' : 'todo'} data-step={name}>
              {name}
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
