import { describe, expect, it } from 'vitest'
import { rowWindow } from './gridWindow'

// Cells of 150 x 240 px: 158 px a column and 248 px a row with the 6 px gap and 1 px borders.
const cell = { width: 150, height: 240 }

describe('rowWindow', () => {
  it('renders the rows in view and two more below at the top of a 1,000-cell grid', () => {
    // 4 columns fit in 16 + 4 * 158 - 6 = 642 px; 600 px tall shows rows 0..2 (3 rows), plus 2 overscan
    const w = rowWindow(1000, cell.width, cell.height, { width: 650, height: 600, scrollTop: 0 })
    expect(w.start).toBe(0)
    expect(w.end).toBe(4 * 6)
    expect(w.above).toBe(0)
    expect(w.below).toBe((250 - 6) * 248)
  })

  it('keeps the scroll height of the whole grid wherever it is scrolled', () => {
    for (const scrollTop of [0, 1000, 30000, 62000, 1e6]) {
      const w = rowWindow(1000, cell.width, cell.height, { width: 650, height: 600, scrollTop })
      const renderedRows = Math.ceil((w.end - w.start) / 4)
      expect(w.above + renderedRows * 248 + w.below).toBe(250 * 248)
      expect(w.start % 4).toBe(0)
    }
  })

  it('reaches the last cells at the bottom, with an incomplete last row', () => {
    const w = rowWindow(1001, cell.width, cell.height, { width: 650, height: 600, scrollTop: 251 * 248 })
    expect(w.end).toBe(1001)
    expect(w.below).toBe(0)
    expect(w.start).toBeGreaterThan(950)
  })

  it('renders the first row before the grid is measured, and nothing for no cells', () => {
    expect(rowWindow(500, cell.width, cell.height, { width: 150, height: 0, scrollTop: 0 }).end).toBe(3)
    expect(rowWindow(0, cell.width, cell.height, { width: 650, height: 600, scrollTop: 0 })).toEqual({ start: 0, end: 0, above: 0, below: 0 })
  })
})
