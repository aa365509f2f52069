// Loads a figure: the document first (the layout can be drawn at once), then each view's data file, every
// view handed over decoded as soon as its own file has arrived.
import { isRecord } from '../protocol/messages'
import { decodeNdarrays } from '../protocol/ndarray'
import { type LayoutNode, parseLayout } from '../layout/types'
import { collectUnitIds, type UnitId } from '../state/units'
import { CURATION_VIEW_TYPES, viewRegistry } from '../views/registry'
import type { HostConnection } from './hostConnection'
import { type JobProgressListener, SUMMARY_JOB_TYPE, waitForSummary } from './summaryJob'

export interface LoadedView {
  viewId: string
  type: string
  /** Raw JSON with ndarrays decoded; undefined while loading or when loading failed */
  data?: Record<string, unknown>
  error?: string
  /** Set while the view's data is on its way: bytes received so far, and the file's size when known (else 0) */
  loading?: { loaded: number; total: number }
}

/** A figure as its document describes it: the layout, and each leaf view (loading, or inline and ready). */
export interface FigureDocument {
  layout: LayoutNode
  views: Map<string, LoadedView>
  /** The views still to fetch, in the order they are asked for */
  pending: ViewEntry[]
  /** Unit ids found in views already loaded (an inline leaf view) */
  unitIds: Map<string, UnitId>
}

export interface ViewEntry {
  viewId: string
  type: string
  dataUri: unknown
}

/** Called with each view as it arrives (decoded, or with its error) and the unit ids it names. */
export type ViewArrival = (view: LoadedView, unitIds: ReadonlyMap<string, UnitId>) => void

// Enough parallel requests to hide latency without flooding a small local server.
const MAX_PARALLEL = 6
const LARGE_VIEW_TYPES = new Set(['AverageWaveforms', 'CrossCorrelograms', 'Autocorrelograms', 'SpikeAmplitudes', 'SpikeLocations', 'RasterPlot'])
const FOREIGN_UNIT_VIEWS = new Set(['ConfusionMatrix', 'AgreementMatrix', 'GroundTruthComparison', 'StudyTable', 'MultiSortingAgreement'])

/** Reads the figure's document (waiting for a summary the runner computes); no view data is fetched yet. */
export async function openFigure(host: HostConnection, onJob?: JobProgressListener): Promise<FigureDocument> {
  const resp = await host.request({ type: 'getFigureData', figurlProtocolVersion: 'p1' })
  if (resp.errorMessage) throw new Error(resp.errorMessage)
  const figureData = resp.figureData
  if (!isRecord(figureData)) throw new Error('The figure data is not a JSON object')
  let doc: Record<string, unknown> = figureData
  // A summary the runner computes: wait for its job, then load the figure it wrote.
  if (doc.type === SUMMARY_JOB_TYPE) doc = await waitForSummary(host, doc, onJob ?? (() => undefined))

  const unitIds = new Map<string, UnitId>()
  // A figure may also be a single leaf view with its data inline.
  if (doc.type !== 'MainLayout') {
    collectUnitIds(doc, unitIds)
    const data = (await decodeNdarrays(doc, viewRegistry.get(String(doc.type))?.lazyFields)) as Record<string, unknown>
    const view: LoadedView = { viewId: '0', type: String(doc.type), data }
    return { layout: { type: 'View', viewId: '0' }, views: new Map([['0', view]]), pending: [], unitIds }
  }
  const layout = parseLayout(doc.layout)
  const entries = (Array.isArray(doc.views) ? doc.views.filter(isRecord) : []).map(
    (e): ViewEntry => ({ viewId: String(e.viewId), type: String(e.type), dataUri: e.dataUri }),
  )
  const views = new Map(entries.map((e) => [e.viewId, { viewId: e.viewId, type: e.type, loading: { loaded: 0, total: 0 } }]))
  // The curation view first: the curation it carries applies to every other view (and its file is tiny).
  // Views whose files grow with the units or spikes last, so that the small ones are not queued behind them.
  const rank = (e: ViewEntry): number => (CURATION_VIEW_TYPES.has(e.type) ? 0 : LARGE_VIEW_TYPES.has(e.type) ? 2 : 1)
  const pending = [...entries].sort((a, b) => rank(a) - rank(b))
  return { layout, views, pending, unitIds }
}

/**
 * Fetches and decodes the views' data files (a few at once), calling `onView` for each as soon as it is
 * ready, in whatever order they arrive. Resolves when every view has arrived or failed.
 */
export async function loadViews(host: HostConnection, entries: readonly ViewEntry[], onView: ViewArrival): Promise<void> {
  const loadOne = async (entry: ViewEntry): Promise<void> => {
    const { viewId, type } = entry
    const unitIds = new Map<string, UnitId>()
    let view: LoadedView
    try {
      if (typeof entry.dataUri !== 'string') throw new Error('the view has no dataUri')
      // The file's bytes, parsed here: a parsed file crosses from the host page by a structured clone of every
      // object in it (tens of thousands of records at 1,000 units, on the page's one thread), bytes by a copy.
      const r = await host.request({ type: 'getFileData', uri: entry.dataUri, responseType: 'binary', figurlProtocolVersion: 'p1' })
      if (r.errorMessage) throw new Error(r.errorMessage)
      const fileData = parseViewFile(r.fileData)
      if (!isRecord(fileData)) throw new Error('the view data is not a JSON object')
      // A confusion matrix names units of two different sortings; they are not this figure's units.
      if (!FOREIGN_UNIT_VIEWS.has(type)) collectUnitIds(fileData, unitIds)
      const data = (await decodeNdarrays(fileData, viewRegistry.get(type)?.lazyFields)) as Record<string, unknown>
      view = { viewId, type, data }
    } catch (err) {
      view = { viewId, type, error: `Could not load the data of this ${type} view: ${err instanceof Error ? err.message : String(err)}` }
    }
    onView(view, unitIds)
  }
  const queue = [...entries]
  const workers = Array.from({ length: Math.min(MAX_PARALLEL, queue.length) }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) await loadOne(e)
  })
  await Promise.all(workers)
}

/** A view file as the host answered a request for its bytes: JSON bytes or text, or (a host that parses anyway) the value. */
export function parseViewFile(x: unknown): unknown {
  let text: string
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) text = new TextDecoder().decode(x)
  else if (typeof x === 'string') text = x
  else return x
  try {
    return JSON.parse(text)
  } catch {
    throw new Error('the view data is not valid JSON')
  }
}
