import { describe, expect, it } from 'vitest'
import { type ChunkEntry, chunksForWindow, groupByUnit, runRange, windowRuns } from './amplitudeChunks'

const chunk = (start: number, end: number, numSpikes: number): ChunkEntry => ({ startTimeSec: start, endTimeSec: end, numSpikes, dataUri: `sha1://${start}` })
const chunks = [chunk(0, 10, 200_000), chunk(10, 20, 200_000), chunk(20, 30, 200_000)]

describe('amplitude chunks', () => {
  it('picks the chunks of a window unless they hold too many spikes', () => {
    expect(chunksForWindow(chunks, 0, 30)).toBeUndefined()
    expect(chunksForWindow(chunks, 12, 25)?.map((c) => c.startTimeSec)).toEqual([10, 20])
    expect(chunksForWindow(chunks, 12, 18)?.map((c) => c.startTimeSec)).toEqual([10])
  })

  it('cuts a window into runs from loaded chunks and from the overview', () => {
    const loaded = { times: [], amplitudes: [] }
    const runs = windowRuns(chunks.slice(0, 2), (uri) => (uri === 'sha1://10' ? loaded : undefined), 5, 15)
    expect(runs.map((r) => [r.start, r.end, r.chunk === loaded])).toEqual([
      [5, 10, false],
      [10, 15, true],
    ])
  })

  it('groups a chunk by unit, each unit in time order', () => {
    const grouped = groupByUnit([1, 2, 3, 4, 5], [-1, -2, -3, -4, -5], [1, 0, 1, 2, 0], 3)
    expect(Array.from(grouped.times[0] ?? [])).toEqual([2, 5])
    expect(Array.from(grouped.amplitudes[1] ?? [])).toEqual([-1, -3])
    expect(Array.from(grouped.times[2] ?? [])).toEqual([4])
    expect(() => groupByUnit([1], [1], [3], 3)).toThrow(/unit index 3/)
  })

  it('includes the end of the last run only', () => {
    const t = [1, 2, 2, 3]
    expect(runRange(t, 1, 2, false)).toEqual([0, 1])
    expect(runRange(t, 1, 2, true)).toEqual([0, 3])
  })
})
