import { describe, expect, it } from 'vitest'
import type { HostConnection } from './hostConnection'
import { type JobProgress, waitForSummary } from './summaryJob'

const DOC = { type: 'SortingSummaryJob', taskName: 'sortingview.sorting_summary.1', taskInput: { recording_uri: 'sha1://r', sorting_uri: 'sha1://s' } }
const FIGURE = { type: 'MainLayout', layout: { type: 'View', viewId: '1' }, views: [] }

/** A host answering the job's queries from a script of replies, then the figure file. */
function scriptedHost(replies: Record<string, unknown>[], sent: Record<string, unknown>[]): HostConnection {
  const request = async (req: Record<string, unknown>) => {
    sent.push(req)
    if (req.type === 'getFileData') return { type: 'getFileData', fileData: FIGURE }
    return replies.shift() ?? { type: 'serviceQuery', errorMessage: 'no more replies' }
  }
  return { request } as unknown as HostConnection
}

describe('waitForSummary', () => {
  it('reports progress while the job runs, then loads the figure the result names', async () => {
    const steps = ['loading the recording and sorting', 'random_spikes', 'writing the figure']
    const sent: Record<string, unknown>[] = []
    const host = scriptedHost(
      [
        { type: 'serviceQuery', pending: { status: 'waiting', progress: { phase: 'waiting for a worker with free CPUs' } } },
        { type: 'serviceQuery', pending: { status: 'started', progress: { phase: 'random_spikes', step: 1, steps, elapsedSec: 2 } } },
        { type: 'serviceQuery', result: { figureUri: 'sha1://figure' } },
      ],
      sent,
    )
    const seen: JobProgress[] = []
    const figure = await waitForSummary(host, DOC, (p) => seen.push(p))
    expect(figure).toEqual(FIGURE)
    expect(seen.map((p) => p.phase)).toEqual([undefined, 'waiting for a worker with free CPUs', 'random_spikes'])
    expect(seen[2]).toMatchObject({ status: 'started', step: 1, steps, elapsedSec: 2 })
    // every poll sends the task with a wait, so the runner answers early with progress
    expect(sent.filter((r) => r.type === 'serviceQuery').map((r) => (r.query as { wait: number }).wait)).toEqual([1, 1, 1])
    expect(sent.at(-1)).toMatchObject({ type: 'getFileData', uri: 'sha1://figure' })
  })

  it("says the runner's reason when the job fails, and that a runner without compute cannot compute it", async () => {
    const failed = scriptedHost([{ type: 'serviceQuery', errorMessage: 'the recording sha1://r cannot be read', status: 400 }], [])
    await expect(waitForSummary(failed, DOC, () => undefined)).rejects.toThrow('The runner could not compute the summary: the recording sha1://r cannot be read')
    const none = scriptedHost([{ type: 'serviceQuery', errorMessage: 'compute is not available on this runner', status: 503 }], [])
    await expect(waitForSummary(none, DOC, () => undefined)).rejects.toThrow('this one has none')
  })
})
