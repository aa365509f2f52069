import { describe, expect, it } from 'vitest'
import { curationReducer, emptyCuration, parseCuration, simplifyMergeGroups } from './curation'

describe('curation', () => {
  it('keeps labels sorted and unique', () => {
    let c = curationReducer(emptyCuration(), { type: 'ADD_UNIT_LABEL', unitId: 3, label: 'mua' })
    c = curationReducer(c, { type: 'ADD_UNIT_LABEL', unitId: [3, 5], label: 'accept' })
    c = curationReducer(c, { type: 'ADD_UNIT_LABEL', unitId: 3, label: 'accept' })
    expect(c.labelsByUnit).toEqual({ '3': ['accept', 'mua'], '5': ['accept'] })
  })

  it('toggles a label on all selected units unless all have it', () => {
    let c = curationReducer(emptyCuration(), { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'noise' })
    c = curationReducer(c, { type: 'TOGGLE_UNIT_LABEL', unitId: [1, 2], label: 'noise' })
    expect(c.labelsByUnit).toEqual({ '1': ['noise'], '2': ['noise'] })
    c = curationReducer(c, { type: 'TOGGLE_UNIT_LABEL', unitId: [1, 2], label: 'noise' })
    expect(c.labelsByUnit).toEqual({})
  })

  it('joins merge groups transitively, sorts them and drops groups under two units', () => {
    expect(simplifyMergeGroups([[4, 1], [7, 9], [9, 12], [3], [12, 20]])).toEqual([[1, 4], [7, 9, 12, 20]])
    expect(simplifyMergeGroups([[1, 2], [3, 4], [2, 3]])).toEqual([[1, 2, 3, 4]])
  })

  it('unmerges units and simplifies what is left', () => {
    let c = curationReducer(emptyCuration(), { type: 'MERGE_UNITS', unitIds: [1, 2, 3] })
    c = curationReducer(c, { type: 'MERGE_UNITS', unitIds: [7, 8] })
    c = curationReducer(c, { type: 'UNMERGE_UNITS', unitIds: [2, 8] })
    expect(c.mergeGroups).toEqual([[1, 3]])
  })

  it('ignores edits while closed and accepts them after reopening', () => {
    let c = curationReducer(emptyCuration(), { type: 'CLOSE_CURATION' })
    expect(curationReducer(c, { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'accept' })).toBe(c)
    c = curationReducer(c, { type: 'REOPEN_CURATION' })
    expect(curationReducer(c, { type: 'ADD_UNIT_LABEL', unitId: 1, label: 'accept' }).labelsByUnit).toEqual({ '1': ['accept'] })
  })

  it('parses and normalizes a stored curation, rejecting malformed ones', () => {
    const c = parseCuration({ labelsByUnit: { '2': ['b', 'a', 'a'] }, mergeGroups: [['u2', 'u1'], ['u3']], isClosed: true })
    expect(c).toEqual({ labelsByUnit: { '2': ['a', 'b'] }, mergeGroups: [['u1', 'u2']], isClosed: true })
    expect(() => parseCuration({ mergeGroups: 'x' })).toThrow()
    expect(() => parseCuration([1])).toThrow()
  })
})
