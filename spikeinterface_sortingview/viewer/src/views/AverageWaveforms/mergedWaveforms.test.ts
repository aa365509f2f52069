import { describe, expect, it } from 'vitest'
import type { Matrix } from '../decode'
import type { AverageWaveformItem } from './data'
import { weightedMeanWaveform } from './mergedWaveforms'

const m = (rows: number[][]): Matrix => ({ data: Float32Array.from(rows.flat()), rows: rows.length, cols: rows[0]?.length ?? 0 })
const item = (unitId: number, channelIds: string[], w: number[][], sd?: number[][]): AverageWaveformItem =>
  sd ? { unitId, channelIds, waveform: m(w), waveformStdDev: m(sd) } : { unitId, channelIds, waveform: m(w) }

describe('weighted mean of templates', () => {
  it('weights each template by its spike count', () => {
    const merged = weightedMeanWaveform(3, [item(3, ['a'], [[0, 10]]), item(7, ['a'], [[4, 2]])], [300, 100])
    expect(Array.from(merged.waveform.data)).toEqual([1, 8])
    expect(merged.unitId).toBe(3)
  })

  it('averages each channel over the members that have it (sparse templates)', () => {
    const merged = weightedMeanWaveform(3, [item(3, ['a', 'b'], [[1], [2]]), item(7, ['b', 'c'], [[4], [6]])], [1, 3])
    expect(merged.channelIds).toEqual(['a', 'b', 'c'])
    expect(Array.from(merged.waveform.data)).toEqual([1, 3.5, 6])
  })

  it('gives the spread of the merged spikes (a mixture), not the mean of the spreads', () => {
    // Two units of equal count, means -1 and +1, no spread each: merged spikes are ±1, std 1.
    const merged = weightedMeanWaveform(1, [item(1, ['a'], [[-1]], [[0]]), item(2, ['a'], [[1]], [[0]])], [5, 5])
    expect(Array.from(merged.waveform.data)).toEqual([0])
    expect(merged.waveformStdDev?.data[0]).toBeCloseTo(1, 6)
  })

  it('falls back to equal weights without counts and rejects templates of different lengths', () => {
    expect(Array.from(weightedMeanWaveform(1, [item(1, ['a'], [[2]]), item(2, ['a'], [[4]])], []).waveform.data)).toEqual([3])
    expect(Array.from(weightedMeanWaveform(1, [item(1, ['a'], [[2]]), item(2, ['a'], [[4]])], [0, 0]).waveform.data)).toEqual([3])
    expect(() => weightedMeanWaveform(1, [item(1, ['a'], [[2, 3]]), item(2, ['a'], [[4]])], [1, 1])).toThrow(/lengths/)
  })
})
