import { describe, expect, it } from 'vitest'
import { partColor, partOfSpikes, partsByUnit } from './splitParts'
import { UnitOrder } from './units'

describe('split parts as views draw them', () => {
  const order = new UnitOrder([1, 2, 3, 7])
  it('gives the two parts of a split colours unlike each other and the unit', () => {
    const colors = ['7.1', '7.2', '7.1.1', '7.1.2'].map((k) => partColor(k, 7, order))
    expect(new Set([order.color(7), colors[0], colors[1]]).size).toBe(3)
    expect(colors[2]).not.toBe(colors[3])
    expect(partColor('7.1', 99, order)).toBe('#888888')
  })
  it('places each drawn spike in its part, through a split of a part too', () => {
    const parts = partsByUnit({ mergeGroups: [[1, 2]], splits: [{ unitId: 7, indices: [0, 2, 4] }, { unitId: '7.2', indices: [1] }, { unitId: '1+2', indices: [0] }] }, order)
    expect([...parts.keys()]).toEqual(['7']) // a merged unit's parts are numbered in its merged train: not drawn per unit
    const drawn = parts.get('7') ?? []
    expect(drawn.map((p) => p.key)).toEqual(['7.1', '7.2.1', '7.2.2'])
    // 7.2 holds positions 1, 3, 5, 6, ...; its part 1 (7.2.1) is its second spike: position 3
    expect(Array.from(partOfSpikes([0, 1, 3, 4, 5, 9], drawn))).toEqual([0, 2, 1, 0, 2, 2])
  })
})
