// Loads a figure: the document, then every view's data file, decoded and ready to render.
import { isRecord } from '../protocol/messages'
import { decodeNdarrays } from '../protocol/ndarray'
import { type LayoutNode, parseLayout } from '../layout/types'
import { collectUnitIds, type UnitId, UnitOrder } from '../state/units'
import type { HostConnection } from './hostConnection'
import { type JobProgressListener, SUMMARY_JOB_TYPE, waitForSummary } from './summaryJob'

export interface LoadedView {
  viewId: string
  type: string
  /** Raw JSON with ndarrays decoded; undefined when loading failed */
  data?: Record<string, unknown>
  error?: string
}

export interface LoadedFigure {
  layout: LayoutNode
  views: Map<string, LoadedView>
  unitOrder: UnitOrder
}

export type LoadProgress = (done: number, total: number) => void

// Enough parallel requests to hide latency without flooding a small local server.
const MAX_PARALLEL = 6
const FOREIGN_UNIT_VIEWS = new Set(['ConfusionMatrix', 'AgreementMatrix', 'GroundTruthComparison', 'StudyTable', 'MultiSortingAgreement'])

export async function loadFigure(host: HostConnection, onProgress: LoadProgress, onJob?: JobProgressListener): Promise<LoadedFigure> {
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
    const data = (await decodeNdarrays(doc)) as Record<string, unknown>
    const view: LoadedView = { viewId: '0', type: String(doc.type), data }
    return { layout: { type: 'View', viewId: '0' }, views: new Map([['0', view]]), unitOrder: new UnitOrder(unitIds.values()) }
  }

  const layout = parseLayout(doc.layout)
  const entries = Array.isArray(doc.views) ? doc.views.filter(isRecord) : []
  const views = new Map<string, LoadedView>()
  let done = 0
  onProgress(0, entries.length)
  const loadOne = async (entry: Record<string, unknown>): Promise<void> => {
    const viewId = String(entry.viewId)
    const type = String(entry.type)
    try {
      if (typeof entry.dataUri !== 'string') throw new Error('the view has no dataUri')
      const r = await host.request({ type: 'getFileData', uri: entry.dataUri, responseType: 'json', figurlProtocolVersion: 'p1' })
      if (r.errorMessage) throw new Error(r.errorMessage)
      if (!isRecord(r.fileData)) throw new Error('the view data is not a JSON object')
      // A confusion matrix names units of two different sortings; they are not this figure's units.
      if (!FOREIGN_UNIT_VIEWS.has(type)) collectUnitIds(r.fileData, unitIds)
      const data = (await decodeNdarrays(r.fileData)) as Record<string, unknown>
      views.set(viewId, { viewId, type, data })
    } catch (err) {
      views.set(viewId, { viewId, type, error: `Could not load the data of this ${type} view: ${err instanceof Error ? err.message : String(err)}` })
    }
    onProgress(++done, entries.length)
  }
  const queue = [...entries]
  const workers = Array.from({ length: Math.min(MAX_PARALLEL, queue.length) }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) await loadOne(e)
  })
  await Promise.all(workers)
  return { layout, views, unitOrder: new UnitOrder(unitIds.values()) }
}
