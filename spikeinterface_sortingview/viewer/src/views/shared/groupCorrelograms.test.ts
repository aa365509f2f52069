import { describe, expect, it } from 'vitest'
import { NdArray } from '../../protocol/ndarray'
import { plainUnit } from '../../state/mergeDisplay'
import type { UnitId } from '../../state/units'
import type { Correlogram } from './correlogram'
import { binsOf, correlogramsRequest, pairKey, parseCorrelogramsReply, sumCorrelograms, summedCorrelogram } from './groupCorrelograms'

const edges = new Float32Array([-0.0015, -0.0005, 0.0005, 0.0015])
const c = (...counts: number[]): Correlogram => ({ binEdgesSec: edges, binCounts: new Int32Array(counts) })

describe('correlograms of merged units', () => {
  it('reads the runner answer keyed like shown units, crosses in both directions', () => {
    const table = parseCorrelogramsReply({
      result: {
        binEdgesSec: new NdArray(edges, [4]),
        autocorrelograms: [{ unitIds: [3, 7], binCounts: new NdArray(new Int32Array([1, 0, 1]), [3]) }],
        crossCorrelograms: [{ unitIds1: [3, 7], unitIds2: [5], binCounts: new NdArray(new Int32Array([4, 5, 6]), [3]) }],
      },
    })
    expect(Array.from(table.get(pairKey('3+7', '3+7'))!.binCounts)).toEqual([1, 0, 1])
    expect(Array.from(table.get(pairKey('3+7', '5'))!.binCounts)).toEqual([4, 5, 6])
    expect(Array.from(table.get(pairKey('5', '3+7'))!.binCounts)).toEqual([6, 5, 4])
  })

  it('sums a group autocorrelogram from its members autocorrelograms and their cross-correlograms', () => {
    const stored: Record<string, Correlogram> = { '3|3': c(1, 0, 1), '7|7': c(2, 0, 2), '3|7': c(0, 3, 1), '7|3': c(1, 3, 0) }
    const find = (a: UnitId, b: UnitId): Correlogram | undefined => stored[`${a}|${b}`]
    const group = { key: '3+7', unitIds: [3, 7], merged: true }
    expect(Array.from(summedCorrelogram(find, group, group)!.binCounts)).toEqual([4, 6, 4])
    expect(Array.from(summedCorrelogram(find, group, plainUnit(7))!.binCounts)).toEqual([2, 3, 3])
    expect(summedCorrelogram(find, group, plainUnit(9))).toBeUndefined()
  })

  it('refuses to add correlograms with different bins', () => {
    expect(sumCorrelograms([c(1, 1, 1), { binEdgesSec: new Float32Array([0, 1, 2, 3]), binCounts: new Int32Array([1, 1, 1]) }])).toBeUndefined()
  })

  it('asks the runner for the window and bin of the figure', () => {
    const n = 49
    const figureEdges = Float32Array.from({ length: n + 1 }, (_, i) => ((i - n / 2) * 1) / 1000)
    expect(binsOf({ binEdgesSec: figureEdges, binCounts: new Int32Array(n) })).toEqual({ windowMs: 49, binMs: 1, numBins: 49 })
    expect(binsOf(undefined)).toEqual({ windowMs: 50, binMs: 1 })
    // SpikeInterface's even bin counts are asked for as they are, so computed bins line up
    const even = Float32Array.from({ length: 51 }, (_, i) => (i - 25) / 1000)
    const request = correlogramsRequest('sha1://x', [], binsOf({ binEdgesSec: even, binCounts: new Int32Array(50) }), true)
    expect(request.taskInput).toMatchObject({ window_ms: 50, bin_ms: 1, num_bins: 50 })
  })
})
