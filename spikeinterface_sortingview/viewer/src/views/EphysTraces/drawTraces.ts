// Rasterizes a traces window into a device-pixel buffer: one connected span per pixel column per channel,
// so a 384-channel window costs a pass over its values and never a canvas path of a million points.
import type { PixelBuffer } from '../../draw/canvas'
import type { Rect } from '../../draw/axes'
import { channelScale, type TracesWindow } from './tracesTasks'

export interface TracesLayout {
  /** Plot area in CSS pixels */
  plot: Rect
  /** Visible time (seconds from the segment start) */
  t0: number
  t1: number
  /** Row (0 = top) of each channel id */
  rowOf: ReadonlyMap<string, number>
  numRows: number
  /** CSS pixels per data unit (µV or raw) */
  pxPerUnit: number
  dpr: number
}

export function rowCentre(layout: TracesLayout, row: number): number {
  return layout.plot.top + ((row + 0.5) * layout.plot.height) / Math.max(1, layout.numRows)
}

/** `pixels[row % pixels.length]` colours a row: alternating colours tell neighbouring channels apart. */
export function drawTracesWindow(buf: PixelBuffer, layout: TracesLayout, w: TracesWindow, medians: Float32Array, pixels: readonly number[]): void {
  const { plot, t0, t1, dpr } = layout
  if (!(t1 > t0) || w.numSamples === 0) return
  const fs = w.samplingFrequency
  // Frame -> device x as one multiply-add.
  const kx = (plot.width * dpr) / ((t1 - t0) * fs)
  const ax = plot.left * dpr - t0 * fs * kx
  const left = Math.floor(plot.left * dpr)
  const right = Math.ceil((plot.left + plot.width) * dpr)
  const top = Math.floor(plot.top * dpr)
  const bottom = Math.ceil((plot.top + plot.height) * dpr)
  const ky = layout.pxPerUnit * dpr
  const nc = w.numChannels
  const data = w.data
  let pixel = pixels[0] ?? 0

  const span = (x0: number, x1: number, ya: number, yb: number): void => {
    const xa = Math.max(left, x0)
    const xb = Math.min(right, x1)
    if (xb <= xa) return
    const y0 = Math.max(top, Math.floor(Math.min(ya, yb)))
    const y1 = Math.min(bottom, Math.floor(Math.max(ya, yb)) + 1)
    if (y1 > y0) buf.fillRect(xa, y0, xb - xa, y1 - y0, pixel)
  }

  for (let c = 0; c < nc; c++) {
    const row = layout.rowOf.get(w.channelIds[c] as string)
    if (row === undefined) continue
    pixel = pixels[row % pixels.length] as number
    const base = rowCentre(layout, row) * dpr
    const med = medians[c] ?? 0
    // Raw value -> device y as one multiply-add: v * gain + offset in data units, less the baseline, scaled.
    const [gain, offset] = channelScale(w, c)
    const yScale = gain * ky
    const yShift = base - (offset - med) * ky
    const y = (v: number): number => yShift - v * yScale
    if (w.minMax) {
      // Bin b spans its frames; its min..max is one vertical span, stretched to touch the previous one.
      let prevTop = NaN
      let prevBottom = NaN
      for (let b = 0; 2 * b + 1 < w.numSamples; b++) {
        const f0 = w.startFrame + b * w.decimation
        const f1 = Math.min(w.endFrame, f0 + w.decimation)
        const x0 = Math.floor(ax + f0 * kx)
        const x1 = Math.max(x0 + 1, Math.floor(ax + f1 * kx))
        // Raw extremes: with a negative gain the raw minimum is drawn highest.
        const ya = y(data[(2 * b + 1) * nc + c] as number)
        const yb = y(data[2 * b * nc + c] as number)
        let yTop = Math.min(ya, yb)
        let yBottom = Math.max(ya, yb)
        if (yTop > prevBottom) yTop = prevBottom
        if (yBottom < prevTop) yBottom = prevTop
        prevTop = yTop
        prevBottom = yBottom
        if (x1 < left || x0 > right) continue
        span(x0, x1, yTop, yBottom)
      }
    } else {
      // Consecutive samples joined by straight lines, rasterized column by column.
      let xPrev = ax + w.startFrame * kx
      let yPrev = y(data[c] as number)
      if (w.numSamples === 1) span(Math.floor(xPrev), Math.floor(xPrev) + 1, yPrev, yPrev)
      for (let i = 1; i < w.numSamples; i++) {
        const x = ax + (w.startFrame + i) * kx
        const yi = y(data[i * nc + c] as number)
        if (x >= left && xPrev <= right) {
          // Every column the segment touches, the last one included: a column holding a sample is drawn
          // by both segments meeting there, so steep lines have no gaps.
          const slope = (yi - yPrev) / Math.max(1e-9, x - xPrev)
          const last = Math.min(Math.floor(x), right - 1)
          for (let col = Math.max(Math.floor(xPrev), left); col <= last; col++) {
            const ya = yPrev + (Math.max(col, xPrev) - xPrev) * slope
            const yb = yPrev + (Math.min(col + 1, x) - xPrev) * slope
            span(col, col + 1, ya, yb)
          }
        }
        xPrev = x
        yPrev = yi
      }
    }
  }
}
