import { describe, expect, it } from 'vitest'
import type { AverageWaveformItem } from './data'
import { drawUnitWaveforms } from './drawWaveforms'

/** A context that records the points of each stroked path (fills are the shading). */
function recordingContext() {
  const strokes: [number, number][][] = []
  let path: [number, number][] = []
  const ctx = {
    beginPath: () => (path = []),
    moveTo: (x: number, y: number) => path.push([x, y]),
    lineTo: (x: number, y: number) => path.push([x, y]),
    closePath: () => undefined,
    fill: () => undefined,
    stroke: () => strokes.push(path),
    save: () => undefined,
    restore: () => undefined,
    rect: () => undefined,
    clip: () => undefined,
  }
  return { ctx: ctx as unknown as CanvasRenderingContext2D, strokes }
}

describe('template drawing', () => {
  it('keeps the mean trace inside the cell, the deepest trough of the bottom channel included', () => {
    // Two channels 20 µm apart; the lower one has a trough twice the upper one's.
    const n = 30
    const data = new Float32Array(2 * n)
    for (let k = 0; k < n; k++) {
      data[k] = -50 * Math.exp(-((k - 10) ** 2) / 4)
      data[n + k] = -100 * Math.exp(-((k - 10) ** 2) / 4)
    }
    const item: AverageWaveformItem = { unitId: 1, channelIds: ['a', 'b'], waveform: { data, rows: 2, cols: n } }
    const locations = new Map<string, [number, number]>([['a', [0, 20]], ['b', [0, 0]]])
    const { ctx, strokes } = recordingContext()
    drawUnitWaveforms(ctx, 120, 200, item, locations, '#000', 1)
    const mean = strokes[strokes.length - 1] ?? []
    const ys = mean.map(([, y]) => y)
    expect(Math.max(...ys)).toBeLessThanOrEqual(200)
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(0)
    // and the drawing uses the cell: the trough reaches near its bottom
    expect(Math.max(...ys)).toBeGreaterThan(170)
  })
})
