import { describe, expect, it } from 'vitest'
import { applyCurationAction, emptyCuration, type EditAction, type SortingCuration } from '../../state/curation'
import { curatedRows, sameRow, selectionCount, SPIKE_COUNT_COLUMN } from './curatedRows'

const figureRows = [1, 2, 3, 4, 7].map((u) => ({ unitId: u, values: { num_spikes: u * 10, snr: u + 0.5 } }))

function curate(...actions: EditAction[]): SortingCuration {
  return actions.reduce(applyCurationAction, emptyCuration())
}

const view = (rows: ReturnType<typeof curatedRows>) => rows.map((r) => [r.key, r.kind, r.numSpikes, r.removed])

describe('curatedRows', () => {
  it('shows a split unit as its two parts, counted from the indices', () => {
    const c = curate({ type: 'SPLIT_UNIT', unitId: 7, indices: [0, 2, 4] }, { type: 'ADD_UNIT_LABEL', unitId: '7.1', label: 'accept' })
    const rows = curatedRows(figureRows, c, SPIKE_COUNT_COLUMN)
    expect(rows.map((r) => r.key)).toEqual(['1', '2', '3', '4', '7.1', '7.2'])
    const [p1, p2] = rows.slice(4)
    expect([p1?.numSpikes, p2?.numSpikes]).toEqual([3, 67])
    expect(p1?.values).toEqual({ num_spikes: 3 }) // the part's own count; other metrics are not computed
    expect(p1?.ids).toEqual(['7.1']) // selecting the row selects the part, which the curation panel labels
    expect(p1?.labels).toEqual(['accept'])
    expect(p2?.labels).toEqual([])
  })

  it('shows a merged unit as one row followed by its members, and marks removed units', () => {
    const c = curate(
      { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'mua' },
      { type: 'ADD_UNIT_LABEL', unitId: 2, label: 'accept' },
      { type: 'MERGE_UNITS', unitIds: [2, 1] },
      { type: 'REMOVE_UNITS', unitIds: [3] },
    )
    const rows = curatedRows(figureRows, c, SPIKE_COUNT_COLUMN)
    expect(view(rows)).toEqual([
      ['1+2', 'merged', 30, false],
      ['1', 'member', 10, false],
      ['2', 'member', 20, false],
      ['3', 'unit', 30, true],
      ['4', 'unit', 40, false],
      ['7', 'unit', 70, false],
    ])
    expect(rows[0]?.ids).toEqual([1, 2])
    expect(rows[0]?.labels).toEqual(['accept', 'mua'])
    expect(rows[1]?.group).toBe('1+2')
    expect(rows[1]?.values).toBe(figureRows[0]?.values) // a member keeps its own metrics
  })

  it('counts the parts of a merged unit split, and of a part split again', () => {
    const c = curate(
      { type: 'MERGE_UNITS', unitIds: [1, 2] },
      { type: 'SPLIT_UNIT', unitId: '1+2', indices: [0, 1, 2, 3, 4] },
      { type: 'SPLIT_UNIT', unitId: '(1+2).2', indices: [0, 1] },
      { type: 'REMOVE_UNITS', unitIds: ['(1+2).1'] },
    )
    expect(view(curatedRows(figureRows, c, SPIKE_COUNT_COLUMN)).slice(0, 3)).toEqual([
      ['(1+2).1', 'part', 5, true],
      ['(1+2).2.1', 'part', 2, false],
      ['(1+2).2.2', 'part', 23, false],
    ])
  })

  it('without spike counts in the figure, counts only the parts the indices list', () => {
    const bare = figureRows.map((r) => ({ unitId: r.unitId, values: {} }))
    const rows = curatedRows(bare, curate({ type: 'SPLIT_UNIT', unitId: 7, indices: [1, 5] }))
    expect(rows.slice(4).map((r) => r.numSpikes)).toEqual([2, undefined])
    expect(selectionCount({ mode: 'drop', positions: [1, 5] }, 10)).toBe(8)
  })

  it('gives equal rows for units a change did not touch', () => {
    const before = curate({ type: 'MERGE_UNITS', unitIds: [1, 2] })
    const after = applyCurationAction(before, { type: 'ADD_UNIT_LABEL', unitId: 4, label: 'noise' })
    const [a, b] = [curatedRows(figureRows, before, SPIKE_COUNT_COLUMN), curatedRows(figureRows, after, SPIKE_COUNT_COLUMN)]
    const same = a.map((row, i) => sameRow(row, b[i] as (typeof b)[number]))
    expect(same).toEqual([true, true, true, true, false, true])
  })
})
