import { describe, expect, it } from 'vitest'
import { unitBounds } from '../UnitLocations/UnitLocations'
import { fitProbe, makeProbeTransform, STRETCH_LIMIT } from './probeTransform'
import { FIT, zoomAt, zoomedTransform } from './probeZoom'

describe('probe zoom', () => {
  // A 20 x 3840 µm probe in a 200 x 400 px panel: fitted whole, it is a stripe ~2 px wide.
  const fitted = makeProbeTransform({ xmin: 0, xmax: 20, ymin: 0, ymax: 3840 }, 200, 400, false, 0)

  it('keeps the point under the cursor in place and equal scales', () => {
    const [mx, my] = fitted.toScreen(10, 1000)
    const z = zoomAt(FIT, mx, my, 8)
    const t = zoomedTransform(fitted, z)
    const [sx, sy] = t.toScreen(10, 1000)
    expect(sx).toBeCloseTo(mx, 6)
    expect(sy).toBeCloseTo(my, 6)
    expect(t.scale).toBeCloseTo(fitted.scale * 8, 9)
    // 100 µm apart along the probe is 8 times as far on screen as when fitted
    expect(t.toScreen(10, 900)[1] - sy).toBeCloseTo(8 * (fitted.toScreen(10, 900)[1] - my), 6)
    const [px, py] = t.toProbe(sx, sy)
    expect(px).toBeCloseTo(10, 6)
    expect(py).toBeCloseTo(1000, 6)
  })

  it('never zooms out past the fitted view, and comes back to it exactly', () => {
    const z = zoomAt(FIT, 50, 50, 4)
    expect(zoomAt(z, 10, 10, 1 / 4)).toBe(FIT)
    expect(zoomAt(FIT, 10, 10, 0.5)).toBe(FIT)
    expect(zoomAt(FIT, 0, 0, 1e6).zoom).toBe(64)
  })
})

describe('fitting locations to a panel', () => {
  it('stretches x (up to a limit) so a tall, narrow cloud uses a wide panel, and maps back exactly', () => {
    const area = { left: 50, top: 10, width: 1000, height: 500 }
    const b = { xmin: 0, xmax: 40, ymin: 0, ymax: 1000 }
    const t = fitProbe(b, area, false, STRETCH_LIMIT)
    expect(t.scaleY).toBeCloseTo(0.5, 9) // 1000 µm in 500 px
    // 40 µm across the 1000 px would be 50 times y's scale: stretched to the limit (40 times), centred
    expect(t.scaleX).toBeCloseTo(0.5 * STRETCH_LIMIT, 9)
    expect(t.toScreen(0, 1000)).toEqual([50 + (1000 - 40 * 0.5 * STRETCH_LIMIT) / 2, 10])
    const [x, y] = t.toProbe(...t.toScreen(12, 345))
    expect(x).toBeCloseTo(12, 9)
    expect(y).toBeCloseTo(345, 9)
    // equal scales when no stretch is allowed (probe maps)
    const equal = fitProbe(b, area, false, 1)
    expect(equal.scaleX).toBe(equal.scaleY)
  })
})

describe('unit locations bounds', () => {
  it('follow the units but stop a margin past the probe, so one badly localised unit does not shrink the rest', () => {
    const probe = { xmin: -60, xmax: 120, ymin: -60, ymax: 3900 }
    expect(unitBounds({ xmin: -20, xmax: 590, ymin: 100, ymax: 3700 }, probe)).toEqual({ xmin: -20, xmax: 120, ymin: 100, ymax: 3700 })
    // units all off the probe: their own bounds, not an empty box
    const off = { xmin: 500, xmax: 600, ymin: 0, ymax: 10 }
    expect(unitBounds(off, probe)).toEqual(off)
  })
})
