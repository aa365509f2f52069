// Maps probe coordinates (µm) into a view rectangle, rotating wide views so long probes fill them.
import type { ChannelLocations } from '../decode'

export interface ProbeTransform {
  /** screen position of a probe point */
  toScreen: (x: number, y: number) => [number, number]
  /** probe point at a screen position */
  toProbe: (sx: number, sy: number) => [number, number]
  /** screen pixels per µm */
  scale: number
  rotated: boolean
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
  const pw = Math.max(1e-6, b.xmax - b.xmin)
  const ph = Math.max(1e-6, b.ymax - b.ymin)
  const w = Math.max(1, width - 2 * pad)
  const h = Math.max(1, height - 2 * pad)
  const rotated = allowRotate && ph > pw && w > h * 1.3
  const [dw, dh] = rotated ? [ph, pw] : [pw, ph]
  const scale = Math.min(w / dw, h / dh)
  const ox = pad + (w - dw * scale) / 2
  const oy = pad + (h - dh * scale) / 2
  if (!rotated) {
    return {
      scale,
      rotated,
      toScreen: (x, y) => [ox + (x - b.xmin) * scale, oy + (b.ymax - y) * scale],
      toProbe: (sx, sy) => [b.xmin + (sx - ox) / scale, b.ymax - (sy - oy) / scale],
    }
  }
  // Rotated: probe depth (y) runs left to right, x runs top to bottom.
  return {
    scale,
    rotated,
    toScreen: (x, y) => [ox + (y - b.ymin) * scale, oy + (x - b.xmin) * scale],
    toProbe: (sx, sy) => [b.xmin + (sy - oy) / scale, b.ymin + (sx - ox) / scale],
  }
}

/** Draws electrodes as small grey squares sized from the smallest channel spacing. */
export function drawElectrodes(ctx: CanvasRenderingContext2D, locations: ChannelLocations, t: ProbeTransform, highlight?: Set<string>): void {
  const size = Math.max(2, Math.min(14, electrodePitch(locations) * t.scale * 0.7))
  for (const [id, [x, y]] of locations) {
    const [sx, sy] = t.toScreen(x, y)
    ctx.fillStyle = highlight?.has(id) ? '#9aa7b8' : '#dde1e6'
    ctx.fillRect(sx - size / 2, sy - size / 2, size, size)
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
