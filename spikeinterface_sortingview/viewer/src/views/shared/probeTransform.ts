// Maps probe coordinates (µm) into a view rectangle, rotating wide views so long probes fill them.
import { drawXAxis, drawYAxis } from '../../draw/axes'
import type { ChannelLocations } from '../decode'

export interface ProbeTransform {
  /** screen position of a probe point */
  toScreen: (x: number, y: number) => [number, number]
  /** probe point at a screen position */
  toProbe: (sx: number, sy: number) => [number, number]
  /** screen pixels per µm (the smaller of the two axes' when the drawing is stretched) */
  scale: number
  /** screen pixels per µm along the screen's x and y (equal unless stretched) */
  scaleX: number
  scaleY: number
  rotated: boolean
}

/** Margins of a drawing with µm axes (left: y ticks and label; bottom: x ticks and label). */
export const PROBE_AXES_MARGIN = { left: 58, right: 12, top: 12, bottom: 38 }
/** How much more pixels per µm one axis of a location plot may get than the other */
export const STRETCH_LIMIT = 40

/** Where a transform draws: the panel less its margins (axes are drawn in the margins). */
export interface DrawArea {
  left: number
  top: number
  width: number
  height: number
}

export interface Bounds {
  xmin: number
  xmax: number
  ymin: number
  ymax: number
}

export function boundsOf(points: Iterable<[number, number]>, margin: number): Bounds {
  let xmin = Infinity
  let xmax = -Infinity
  let ymin = Infinity
  let ymax = -Infinity
  for (const [x, y] of points) {
    xmin = Math.min(xmin, x)
    xmax = Math.max(xmax, x)
    ymin = Math.min(ymin, y)
    ymax = Math.max(ymax, y)
  }
  if (!Number.isFinite(xmin)) return { xmin: -50, xmax: 50, ymin: -50, ymax: 50 }
  return { xmin: xmin - margin, xmax: xmax + margin, ymin: ymin - margin, ymax: ymax + margin }
}

/**
 * Equal scale on both axes (geometry must not be distorted), y up. When auto-rotation is
 * allowed and the probe's long axis runs across the view's short side, the probe is turned 90°.
 */
export function makeProbeTransform(b: Bounds, width: number, height: number, allowRotate: boolean, pad = 10): ProbeTransform {
  return fitProbe(b, { left: pad, top: pad, width: Math.max(1, width - 2 * pad), height: Math.max(1, height - 2 * pad) }, allowRotate, 1)
}

/**
 * Fits bounds into an area, y up. One axis may be stretched up to `maxStretch` times the other so that
 * content much taller than wide (units along a long probe) uses the panel's width; the drawing then
 * shows µm axes so the stretch is visible. Rotated drawings keep equal scales.
 */
export function fitProbe(b: Bounds, area: DrawArea, allowRotate: boolean, maxStretch: number): ProbeTransform {
  const pw = Math.max(1e-6, b.xmax - b.xmin)
  const ph = Math.max(1e-6, b.ymax - b.ymin)
  const w = Math.max(1, area.width)
  const h = Math.max(1, area.height)
  const rotated = allowRotate && ph > pw && w > h * 1.3
  const [dw, dh] = rotated ? [ph, pw] : [pw, ph]
  const equal = Math.min(w / dw, h / dh)
  const stretch = rotated ? 1 : Math.max(1, maxStretch)
  const scaleX = Math.min(w / dw, equal * stretch)
  const scaleY = Math.min(h / dh, equal * stretch)
  const ox = area.left + (w - dw * scaleX) / 2
  const oy = area.top + (h - dh * scaleY) / 2
  const scale = Math.min(scaleX, scaleY)
  if (!rotated) {
    return {
      scale,
      scaleX,
      scaleY,
      rotated,
      toScreen: (x, y) => [ox + (x - b.xmin) * scaleX, oy + (b.ymax - y) * scaleY],
      toProbe: (sx, sy) => [b.xmin + (sx - ox) / scaleX, b.ymax - (sy - oy) / scaleY],
    }
  }
  // Rotated: probe depth (y) runs left to right, x runs top to bottom.
  return {
    scale,
    scaleX,
    scaleY,
    rotated,
    toScreen: (x, y) => [ox + (y - b.ymin) * scaleX, oy + (x - b.xmin) * scaleY],
    toProbe: (sx, sy) => [b.xmin + (sy - oy) / scaleY, b.ymin + (sx - ox) / scaleX],
  }
}

/** Bounds of a robust share of points (from the `q` to the 1 - `q` quantile on each axis), with a margin. */
export function robustBounds(xs: ArrayLike<number>[], ys: ArrayLike<number>[], q: number, margin: number): Bounds | undefined {
  const gather = (arrays: ArrayLike<number>[]): Float64Array => {
    let n = 0
    for (const a of arrays) n += a.length
    const out = new Float64Array(n)
    let k = 0
    for (const a of arrays) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i] as number)) out[k++] = a[i] as number
    return out.subarray(0, k).sort()
  }
  const x = gather(xs)
  const y = gather(ys)
  if (x.length === 0 || y.length === 0) return undefined
  const at = (v: Float64Array, f: number): number => v[Math.min(v.length - 1, Math.max(0, Math.round(f * (v.length - 1))))] as number
  return { xmin: at(x, q) - margin, xmax: at(x, 1 - q) + margin, ymin: at(y, q) - margin, ymax: at(y, 1 - q) + margin }
}

/** Probe-coordinate axes (µm) along the area's bottom and left edges, and how much one is stretched. */
export function drawProbeAxes(ctx: CanvasRenderingContext2D, t: ProbeTransform, area: DrawArea): void {
  const stretch = Math.max(t.scaleX, t.scaleY) / Math.min(t.scaleX, t.scaleY)
  const canvas = ctx.canvas as HTMLCanvasElement
  if (canvas.dataset) canvas.dataset.stretch = stretch.toFixed(2)
  if (stretch > 1.05) {
    ctx.save()
    ctx.font = '11px system-ui, sans-serif'
    ctx.fillStyle = '#6b7280'
    ctx.textAlign = 'right'
    ctx.textBaseline = 'top'
    const which = (t.scaleX > t.scaleY) !== t.rotated ? 'x' : 'y'
    const note = `${which} stretched ×${stretch < 10 ? stretch.toFixed(1) : Math.round(stretch)}`
    const w = ctx.measureText(note).width
    ctx.fillStyle = 'rgba(255,255,255,0.85)'
    ctx.fillRect(area.left + area.width - w - 8, area.top, w + 8, 16)
    ctx.fillStyle = '#6b7280'
    ctx.fillText(note, area.left + area.width - 4, area.top + 2)
    ctx.restore()
  }
  const [x0, y0] = t.toProbe(area.left, area.top + area.height)
  const [x1, y1] = t.toProbe(area.left + area.width, area.top)
  if (t.rotated) {
    // screen x is probe y (depth), screen y is probe x growing downwards
    drawXAxis(ctx, area, y0, y1, 'y (µm)')
    drawYAxis(ctx, area, Math.min(x0, x1), Math.max(x0, x1), 'x (µm)')
  } else {
    drawXAxis(ctx, area, x0, x1, 'x (µm)')
    drawYAxis(ctx, area, y0, y1, 'y (µm)')
  }
}

/** Draws electrodes as small grey squares sized from the smallest channel spacing. */
export function drawElectrodes(ctx: CanvasRenderingContext2D, locations: ChannelLocations, t: ProbeTransform, highlight?: Set<string>): void {
  // Contacts are squares at 60% of the pitch, as large as the drawing's scale makes them (a few channels fill
  // the panel), at least 2 px; in a stretched drawing their places stretch, not their shape.
  const size = Math.max(2, electrodePitch(locations) * t.scale * 0.6)
  const [w, h] = [size, size]
  for (const [id, [x, y]] of locations) {
    const [sx, sy] = t.toScreen(x, y)
    ctx.fillStyle = highlight?.has(id) ? '#9aa7b8' : '#dde1e6'
    ctx.fillRect(sx - w / 2, sy - h / 2, w, h)
  }
}

/** Smallest distance between two electrodes (µm), for sizing marks; 20 µm if unknown. */
export function electrodePitch(locations: ChannelLocations): number {
  const pts = [...locations.values()]
  if (pts.length < 2) return 20
  // Sorting by y then checking near neighbours keeps this cheap for 384 channels.
  pts.sort((a, b) => a[1] - b[1] || a[0] - b[0])
  let best = Infinity
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < Math.min(pts.length, i + 8); j++) {
      const a = pts[i] as [number, number]
      const c = pts[j] as [number, number]
      const d = Math.hypot(a[0] - c[0], a[1] - c[1])
      if (d > 0 && d < best) best = d
    }
  }
  return Number.isFinite(best) ? best : 20
}
