import { describe, expect, it } from 'vitest'
import { applyUnitClick, moveSelection } from './selection'
import { panRange, zoomRange } from './timeRange'
import { UnitOrder } from './units'

describe('selection', () => {
  const order = new UnitOrder([10, 2, 'b', 1, 'a10', 'a2'])

  it('orders units numbers first, then strings naturally', () => {
    expect(order.ids).toEqual([1, 2, 10, 'a2', 'a10', 'b'])
    expect(order.color(1)).not.toBe(order.color(2))
  })

  it('replaces on click and toggles with modifiers', () => {
    expect(applyUnitClick([1, 2], 10, 'replace', order)).toEqual([10])
    expect(applyUnitClick([10], 1, 'toggle', order)).toEqual([1, 10])
    expect(applyUnitClick([1, 10], 1, 'toggle', order)).toEqual([10])
  })

  it('moves with arrow keys in the shown order', () => {
    expect(moveSelection([2], [1, 2, 10], 1)).toEqual([10])
    expect(moveSelection([10], [1, 2, 10], 1)).toEqual([10])
    expect(moveSelection([], [1, 2, 10], -1)).toEqual([10])
  })
})

describe('time range', () => {
  const bounds = { start: 0, end: 100 }
  it('zooms around an anchor and stays in bounds', () => {
    expect(zoomRange({ start: 0, end: 100 }, 0.5, 50, bounds)).toEqual({ start: 25, end: 75 })
    expect(zoomRange({ start: 25, end: 75 }, 4, 50, bounds)).toEqual(bounds)
  })
  it('pans without changing the span', () => {
    expect(panRange({ start: 10, end: 20 }, 85, bounds)).toEqual({ start: 90, end: 100 })
    expect(panRange({ start: 10, end: 20 }, -30, bounds)).toEqual({ start: 0, end: 10 })
  })
})
