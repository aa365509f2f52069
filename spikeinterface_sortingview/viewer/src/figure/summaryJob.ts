// A summary computed by the runner: the figure document names a job (`SortingSummaryJob`); the page asks the runner
// for its progress until the job has written the summary's figure, then loads that figure (docs/compute-api.md).
import { isRecord } from '../protocol/messages'
import type { HostConnection } from './hostConnection'

export const SUMMARY_JOB_TYPE = 'SortingSummaryJob'
// Each request waits this long on the runner before answering with progress: updates about once a second.
const WAIT_SEC = 1

export interface JobProgress {
  /** waiting | started */
  status: string
  /** What the job is doing now (an extension's name, "writing the figure", ...) */
  phase?: string
  /** Index of the current step in `steps` */
  step?: number
  steps?: string[]
  elapsedSec?: number
}

export type JobProgressListener = (progress: JobProgress) => void

/** Wait for the job a `SortingSummaryJob` document names; return the summary's figure document. */
export async function waitForSummary(host: HostConnection, doc: Record<string, unknown>, onProgress: JobProgressListener): Promise<Record<string, unknown>> {
  const taskName = doc.taskName
  const taskInput = doc.taskInput
  if (typeof taskName !== 'string' || !isRecord(taskInput)) throw new Error('The summary document names no task')
  onProgress({ status: 'waiting' })
  for (;;) {
    const r = await host.request({ type: 'serviceQuery', serviceName: 'sortingview', query: { taskName, taskInput, wait: WAIT_SEC } })
    if (r.errorMessage !== undefined) {
      const noCompute = r.status === 503 || r.status === 404 || r.status === 405
      throw new Error(noCompute ? `This summary is computed by a runner with compute; this one has none (${r.errorMessage}).` : `The runner could not compute the summary: ${r.errorMessage}`)
    }
    if (r.pending) {
      onProgress(readProgress(r.pending.status, r.pending.progress))
      continue
    }
    const result = r.result
    if (!isRecord(result) || typeof result.figureUri !== 'string') throw new Error('The summary job answered without a figure')
    const f = await host.request({ type: 'getFileData', uri: result.figureUri, responseType: 'json', figurlProtocolVersion: 'p1' })
    if (f.errorMessage) throw new Error(f.errorMessage)
    if (!isRecord(f.fileData)) throw new Error('The summary figure is not a JSON object')
    return f.fileData
  }
}

function readProgress(status: string, p: Record<string, unknown> | undefined): JobProgress {
  const progress: JobProgress = { status }
  if (!p) return progress
  if (typeof p.phase === 'string') progress.phase = p.phase
  if (typeof p.step === 'number') progress.step = p.step
  if (Array.isArray(p.steps)) progress.steps = p.steps.map(String)
  if (typeof p.elapsedSec === 'number') progress.elapsedSec = p.elapsedSec
  return progress
}
