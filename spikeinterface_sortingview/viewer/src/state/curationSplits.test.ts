import { describe, expect, it } from 'vitest'
import {
  applyCurationAction,
  curatedUnits,
  type CurationAction,
  curationActionError,
  curationReducer,
  type EditAction,
  emptyCuration,
  mergeUnits,
  parseCuration,
  removeUnits,
  restoreUnits,
  type SortingCuration,
  splitUnit,
  undo,
  unitLayout,
} from './curation'
import { toSpikeInterfaceCuration } from './curationExport'
import { canRedo, canUndo, historyReducer, newHistory, replayHistory } from './curationHistory'
import type { UnitId } from './units'

// Spike trains of three units (times), to check the parts' selections against a plain model.
const TRAINS: Record<string, number[]> = {
  '1': [10, 20, 30, 40, 50, 60, 70, 80],
  '2': [15, 25, 35, 45],
  '3': [5, 55, 95],
}

/** The spike times a curated unit holds: its members' time-sorted union, then its selection. */
function spikesOf(c: SortingCuration, key: string): number[] {
  const unit = curatedUnits(c, [1, 2, 3]).find((u) => u.key === key)
  if (!unit) throw new Error(`no unit ${key}`)
  const all = unit.members.flatMap((m) => TRAINS[String(m)] ?? []).sort((a, b) => a - b)
  const { mode, positions } = unit.selection
  if (mode === 'all') return all
  if (mode === 'take') return positions.map((p) => all[p] as number)
  const dropped = new Set(positions)
  return all.filter((_, i) => !dropped.has(i))
}

const apply = (c: SortingCuration, ...actions: EditAction[]): SortingCuration =>
  actions.reduce((s, a) => applyCurationAction(s, a), c)

describe('splits', () => {
  it('splits a unit by positions, and a part again, spike-exact', () => {
    let c = apply(emptyCuration(), splitUnit(1, [1, 3, 5]))
    expect(spikesOf(c, '1.1')).toEqual([20, 40, 60])
    expect(spikesOf(c, '1.2')).toEqual([10, 30, 50, 70, 80])
    c = apply(c, splitUnit('1.2', [0, 4]), splitUnit('1.1', [2]))
    expect(spikesOf(c, '1.2.1')).toEqual([10, 80])
    expect(spikesOf(c, '1.2.2')).toEqual([30, 50, 70])
    expect(spikesOf(c, '1.1.1')).toEqual([60])
    expect(spikesOf(c, '1.1.2')).toEqual([20, 40])
    expect(curatedUnits(c, [1, 2, 3]).map((u) => u.key)).toEqual(['1.1.1', '1.1.2', '1.2.1', '1.2.2', '2', '3'])
  })

  it('splits a merged unit by positions in the time-sorted union of its members', () => {
    let c = apply(emptyCuration(), mergeUnits([2, 1]))
    c = apply(c, splitUnit('1+2', [0, 1, 2, 3]))
    expect(spikesOf(c, '(1+2).1')).toEqual([10, 15, 20, 25])
    c = apply(c, splitUnit('(1+2).2', [1]))
    expect(spikesOf(c, '(1+2).2.1')).toEqual([35])
    // the group may be named with its members in any order, not by one member
    expect(curationActionError(apply(emptyCuration(), mergeUnits([1, 2])), splitUnit('2+1', [0]))).toBeUndefined()
    expect(curationActionError(apply(emptyCuration(), mergeUnits([1, 2])), splitUnit(1, [0]))).toMatch(/merged into 1\+2/)
  })

  it('refuses what does not fit: a split unit by its old id, a part past its spikes, merging a part', () => {
    const c = apply(emptyCuration(), splitUnit(1, [0, 1]))
    expect(curationActionError(c, splitUnit(1, [0]))).toMatch(/was split into 1.1 and 1.2/)
    expect(curationActionError(c, splitUnit('1.1', [2]))).toMatch(/has 2 spikes/)
    expect(curationActionError(c, splitUnit('1.1', [0, 1]))).toMatch(/needs two parts/)
    expect(curationActionError(c, mergeUnits(['1.1', 2]))).toMatch(/part of a split unit/)
    expect(curationActionError(c, splitUnit(2, [1, 1]))).toMatch(/sorted without repeats/)
    expect(curationReducer(c, splitUnit(1, [0]))).toBe(c)
  })

  it('gives both parts the labels of the unit they came from', () => {
    const c = apply(emptyCuration(), { type: 'ADD_UNIT_LABEL', unitId: 3, label: 'mua' }, splitUnit(3, [0]))
    expect(c.labelsByUnit).toEqual({ '3': ['mua'], '3.1': ['mua'], '3.2': ['mua'] })
  })
})

describe('removal, labels by category, undo and redo', () => {
  it('removes and restores units, a merged unit through any member', () => {
    let c = apply(emptyCuration(), mergeUnits([1, 2]), removeUnits([2, 3]))
    expect(c.removedUnits).toEqual([3, '1+2'])
    expect(curationActionError(c, mergeUnits([3, 4]))).toMatch(/removed; restore it first/)
    c = apply(c, restoreUnits([1]))
    expect(c.removedUnits).toEqual([3])
    expect(curationActionError(c, restoreUnits([1]))).toMatch(/not removed/)
  })

  it('keeps one label per exclusive category', () => {
    let c: SortingCuration = {
      ...emptyCuration(),
      labelDefinitions: { quality: { label_options: ['good', 'noise'], exclusive: true }, kind: { label_options: ['pyr', 'int'], exclusive: false } },
    }
    c = apply(c, { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'good' }, { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'pyr' })
    c = apply(c, { type: 'TOGGLE_UNIT_LABEL', unitId: 1, label: 'noise' }, { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'int' })
    expect(c.labelsByUnit['1']).toEqual(['int', 'noise', 'pyr'])
  })

  it('undoes and redoes labels, merges, splits and removals; a new action drops what could be redone', () => {
    let h = newHistory()
    const steps: CurationAction[] = [
      { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'accept' },
      mergeUnits([2, 3]),
      splitUnit(1, [0, 2]),
      removeUnits([4]),
    ]
    const states: SortingCuration[] = [h.present]
    for (const a of steps) {
      h = historyReducer(h, a)
      states.push(h.present)
    }
    for (let i = steps.length - 1; i >= 0; i--) {
      h = historyReducer(h, { type: 'UNDO' })
      expect(h.present).toEqual(states[i])
    }
    expect(canUndo(h)).toBe(false)
    expect(() => historyReducer(h, { type: 'UNDO' })).toThrow(/nothing to undo/)
    h = historyReducer(historyReducer(h, { type: 'REDO' }), { type: 'REDO' })
    expect(h.present).toEqual(states[2])
    h = historyReducer(h, { type: 'ADD_UNIT_LABEL', unitId: 9, label: 'noise' })
    expect(canRedo(h)).toBe(false)
    // a journal's records replay to the same history
    const replayed = replayHistory([...steps, undo(), undo()].map((action) => ({ action, who: 'ana' })))
    expect(replayed.present).toEqual(states[2])
    expect(replayed.future.map((e) => e.action.type)).toEqual(['REMOVE_UNITS', 'SPLIT_UNIT'])
    expect(replayed.past[0]?.who).toBe('ana')
  })

  it('undoes a close but nothing else while closed', () => {
    let h = historyReducer(historyReducer(newHistory(), mergeUnits([1, 2])), { type: 'CLOSE_CURATION' })
    expect(() => historyReducer(h, mergeUnits([3, 4]))).toThrow(/closed/)
    h = historyReducer(h, { type: 'UNDO' })
    expect(h.present.isClosed).toBe(false)
  })

  it('reads splits and removals back from stored JSON, refusing ones that do not fit', () => {
    const stored = { labelsByUnit: {}, mergeGroups: [[1, 2]], splits: [{ unitId: '1+2', indices: [0] }], removedUnits: ['(1+2).2'] }
    expect(unitLayout(parseCuration(stored)).removed.has('(1+2).2')).toBe(true)
    expect(() => parseCuration({ ...stored, splits: [{ unitId: 1, indices: [0] }] })).toThrow(/merged into 1\+2/)
    expect(() => parseCuration({ splits: [{ unitId: 1, indices: [2, 1] }] })).toThrow(/sorted/)
  })
})

describe("SpikeInterface's curation format", () => {
  const ids: UnitId[] = [1, 2, 3, 4]

  it('is one step for labels, merges, removals and splits of unmerged units, with new ids', () => {
    const c = apply(emptyCuration(), { type: 'ADD_UNIT_LABEL', unitId: 4, label: 'mua' }, mergeUnits([1, 2]), splitUnit(3, [0, 2]), removeUnits([4]))
    expect(toSpikeInterfaceCuration(c, ids)).toEqual({
      format_version: '2',
      unit_ids: ids,
      label_definitions: { all_labels: { label_options: ['accept', 'reject', 'noise', 'artifact', 'mua'], exclusive: false } },
      manual_labels: [{ unit_id: 4, labels: { all_labels: ['mua'] } }],
      merges: [{ unit_ids: [1, 2], new_unit_id: 5 }],
      removed: [4],
      splits: [{ unit_id: 3, mode: 'indices', indices: [[0, 2]], new_unit_ids: [6, 7] }],
    })
  })

  it('is a list of steps when a merged unit is split', () => {
    const c = apply(emptyCuration(), mergeUnits([1, 2]), splitUnit('1+2', [1]), removeUnits(['(1+2).2']))
    const steps = toSpikeInterfaceCuration(c, ids)
    expect(Array.isArray(steps) && steps.map((s) => [s.unit_ids, s.merges, s.splits, s.removed])).toEqual([
      [ids, [{ unit_ids: [1, 2], new_unit_id: 5 }], [], []],
      [[3, 4, 5], [], [{ unit_id: 5, mode: 'indices', indices: [[1]], new_unit_ids: [6, 7] }], []],
      [[3, 4, 6, 7], [], [], [7]],
    ])
  })

  it('refuses a curation naming a unit the sorting does not have', () => {
    expect(() => toSpikeInterfaceCuration(apply(emptyCuration(), mergeUnits([1, 9])), ids)).toThrow(/merges unit 9/)
  })
})
