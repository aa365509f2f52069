import { describe, expect, it } from 'vitest'
import { initialSplit } from './SplitterLayout'

describe('splitter', () => {
  it('starts from the stretch shares, within min and max sizes', () => {
    // The sorting summary: units table (max 600) beside the plots (stretch 3), in a 1600 px window.
    expect(initialSplit(1594, { maxSize: 600 }, { stretch: 3 })).toBeCloseTo(398.5)
    expect(initialSplit(1594, { maxSize: 600 }, {})).toBe(600)
    expect(initialSplit(1594, { minSize: 900 }, { stretch: 3 })).toBe(900)
    expect(initialSplit(1594, {}, { maxSize: 300 })).toBe(1294)
    expect(initialSplit(1594, {}, { minSize: 1000 })).toBe(594)
  })
})
