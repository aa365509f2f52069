// The figure view: connect to the host, load the figure, restore curation state, render the layout.
import { useEffect, useState } from 'react'
import { ComputeClient } from '../compute/computeClient'
import { LayoutView } from '../layout/LayoutView'
import { CURATION_VIEW_TYPES } from '../views/registry'
import { CurationController } from './curationController'
import { createFigureState, FigureContext, type FigureState } from './FigureContext'
import { findHost, HostConnection } from './hostConnection'
import { type LoadedFigure, loadFigure } from './loadFigure'
import type { JobProgress } from './summaryJob'

type Phase =
  | { kind: 'connecting' }
  | { kind: 'computing'; progress: JobProgress }
  | { kind: 'loading'; done: number; total: number; bytes?: number }
  | { kind: 'ready'; figure: LoadedFigure; state: FigureState }
  | { kind: 'error'; message: string }

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'connecting' })
  useEffect(() => {
    let live = true
    const run = async (): Promise<void> => {
      const info = await findHost()
      const host = new HostConnection(info)
      host.onProgress((p) => live && setPhase((ph) => (ph.kind === 'loading' ? { ...ph, bytes: p.loaded } : ph)))
      setPhase({ kind: 'loading', done: 0, total: 0 })
      const figure = await loadFigure(
        host,
        (done, total) => live && setPhase((ph) => (ph.kind === 'loading' || ph.kind === 'computing' ? { kind: 'loading', done, total } : ph)),
        (progress) => live && setPhase({ kind: 'computing', progress }),
      )
      const compute = new ComputeClient((serviceName, query) => host.request({ type: 'serviceQuery', serviceName, query }))
      const curation = new CurationController(host, compute, info.initialState)
      await curation.restore(curationViewField(figure, 'curation'))
      const hasCuration = [...figure.views.values()].some((v) => CURATION_VIEW_TYPES.has(v.type))
      // Not awaited: the figure shows at once, and the journal's curation replaces the URL's when it arrives.
      const sortingUri = curationSortingUri(figure)
      if (sortingUri !== undefined) void curation.connectRunner(sortingUri)
      const state = createFigureState(host, compute, figure.unitOrder, curation, hasCuration)
      if (live) setPhase({ kind: 'ready', figure, state })
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
          Loading figure data{phase.total > 0 ? ` (${phase.done} of ${phase.total} views)` : '…'}
          {phase.bytes ? ` · ${(phase.bytes / 1e6).toFixed(1)} MB` : ''}
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
    case 'ready':
      return (
        <FigureContext.Provider value={phase.state}>
          <div className="figure-root" data-testid="figure-root">
            <LayoutView node={phase.figure.layout} views={phase.figure.views} />
          </div>
        </FigureContext.Provider>
      )
  }
}

/** The sorting a curation view names (this project's extension); its journal on the runner holds the curation. */
function curationSortingUri(figure: LoadedFigure): string | undefined {
  const uri = curationViewField(figure, 'sortingUri')
  return typeof uri === 'string' && uri !== '' ? uri : undefined
}

/** A field of the figure's curation view (`sortingUri`, or `curation`: the curation the figure starts from). */
function curationViewField(figure: LoadedFigure, field: string): unknown {
  for (const v of figure.views.values()) if (v.type === 'SortingCuration2' && v.data?.[field] !== undefined) return v.data[field]
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
