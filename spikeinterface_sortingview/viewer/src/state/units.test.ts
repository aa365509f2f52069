import { describe, expect, it } from 'vitest'
import { collectUnitIds, compareUnitIds, type UnitId } from './units'

describe('collectUnitIds', () => {
  it('finds every unitId, unitId1, unitId2 and unitIds, at any depth, and nothing inside ndarrays', () => {
    const out = new Map<string, UnitId>()
    collectUnitIds(
      {
        units: [{ unitId: 1, spikeTimesSec: { _type: 'ndarray', dtype: 'float32', shape: [1], unitId: 99 } }, 2, 'x', null],
        crossCorrelograms: [{ unitId1: 'a', unitId2: 3, binCounts: [1, 2] }],
        groups: { nested: [[{ unitIds: [4, 'b', { not: 'an id' }] }]] },
        unitId: [5],
      },
      out,
    )
    expect([...out.keys()].sort()).toEqual(['1', '3', '4', 'a', 'b'])
    expect(out.get('3')).toBe(3)
  })
})

describe('compareUnitIds', () => {
  it('puts numbers first, then strings in natural order', () => {
    expect(['u10', 3, 'u2', 'b', 1, 'u1'].sort(compareUnitIds)).toEqual([1, 3, 'b', 'u1', 'u2', 'u10'])
  })
})
