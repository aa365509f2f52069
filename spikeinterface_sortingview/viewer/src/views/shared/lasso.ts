// Lasso geometry: polygons drawn over a plot, in screen pixels and in the plot's feature space.

export type Point = [number, number]

/** Whether (x, y) is inside the polygon, by the even-odd rule (the runner's rule, runner/handlers/splits.py). */
export function pointInPolygon(x: number, y: number, polygon: readonly Point[]): boolean {
  let inside = false
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ax, ay] = polygon[i] as Point
    const [bx, by] = polygon[j] as Point
    if (ay > y !== by > y && x < ax + ((y - ay) * (bx - ax)) / (by - ay)) inside = !inside
  }
  return inside
}

/** Twice the signed area; zero for a polygon whose vertices are on one line. */
export function polygonArea(polygon: readonly Point[]): number {
  let a = 0
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ax, ay] = polygon[i] as Point
    const [bx, by] = polygon[j] as Point
    a += bx * ay - ax * by
  }
  return a / 2
}

/**
 * Keeps the points of a mouse path at least `minDistance` apart, at most `maxPoints` of them
 * (the runner takes polygons of up to 1000 vertices).
 */
export function simplifyPath(points: readonly Point[], minDistance = 3, maxPoints = 400): Point[] {
  const out: Point[] = []
  for (const p of points) {
    const last = out[out.length - 1]
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= minDistance) out.push(p)
  }
  if (out.length <= maxPoints) return out
  const step = out.length / maxPoints
  return Array.from({ length: maxPoints }, (_, i) => out[Math.floor(i * step)] as Point)
}

/** A polygon usable as a selection: three vertices or more and an area of at least a few pixels. */
export function isUsablePolygon(screen: readonly Point[]): boolean {
  return screen.length >= 3 && Math.abs(polygonArea(screen)) >= 16
}
