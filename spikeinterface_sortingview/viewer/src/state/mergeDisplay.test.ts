import { describe, expect, it } from 'vitest'
import { displayUnits, figureUnitsOf, unitGroupInput } from './mergeDisplay'
import { applyGroupClick } from './selection'
import { limitSpan } from './timeRange'
import { UnitOrder } from './units'
import { journalNameForSorting, uriContentHash } from './journalName'

const order = new UnitOrder([1, 2, 3, 5, 7, 9])

describe('merged units as shown', () => {
  it('replaces a merge group by one unit where its first member appears', () => {
    const d = displayUnits([1, 3, 5, 7], [[3, 7]], order)
    expect(d.map((u) => u.key)).toEqual(['1', '3+7', '5'])
    expect(d[1]).toMatchObject({ merged: true, unitIds: [3, 7] })
    expect(unitGroupInput(d[1]!)).toEqual([3, 7])
    expect(unitGroupInput(d[0]!)).toBe(1)
  })

  it('shows the whole group when only one member is listed (a selection)', () => {
    expect(displayUnits([7], [[3, 7]], order).map((u) => u.unitIds)).toEqual([[3, 7]])
    expect(displayUnits([9, 7, 3], [[7, 3]], order).map((u) => u.key)).toEqual(['9', '3+7'])
  })

  it('selects a merged unit as a whole and toggles it as one', () => {
    expect(applyGroupClick([1], [3, 7], 'replace', order)).toEqual([3, 7])
    expect(applyGroupClick([1], [3, 7], 'toggle', order)).toEqual([1, 3, 7])
    expect(applyGroupClick([1, 3, 7], [3, 7], 'toggle', order)).toEqual([1])
    expect(applyGroupClick([1, 3], [3, 7], 'toggle', order)).toEqual([1, 3, 7])
  })
})

describe('time windows', () => {
  it('caps a window at the widest span a view can show, around the anchor', () => {
    expect(limitSpan({ start: 0, end: 100 }, 10, 50, { start: 0, end: 1000 })).toEqual({ start: 45, end: 55 })
    expect(limitSpan({ start: 0, end: 5 }, 10, 2, { start: 0, end: 1000 })).toEqual({ start: 0, end: 5 })
  })
})

describe('curation journal names', () => {
  const h = '0123456789abcdef0123456789abcdef01234567'
  it('use the content hash of sha1:// and kachery: sorting URIs', async () => {
    expect(uriContentHash(`sha1://${h}?label=sorting.json`)).toBe(h)
    expect(uriContentHash(`kachery:default:sha1:${h.toUpperCase()}:x`)).toBe(h)
    expect(await journalNameForSorting(`sha1://${h}`)).toBe(`sorting-${h}`)
  })

  it('hash other URIs, so every page names the same journal', async () => {
    const name = await journalNameForSorting('file:///data/sorting')
    expect(name).toMatch(/^sorting-[0-9a-f]{40}$/)
    expect(await journalNameForSorting('file:///data/sorting')).toBe(name)
  })
})

describe('figureUnitsOf', () => {
  it('keeps the sorting units of a selection, not the parts the units table selects', () => {
    const order = new UnitOrder([3, 7, 12])
    expect(figureUnitsOf([7, '7.1', 12, '(3+7).2'], order)).toEqual([7, 12])
  })
})
