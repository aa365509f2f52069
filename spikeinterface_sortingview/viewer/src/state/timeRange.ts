// Visible time window shared by time-axis views, and the zoom/pan arithmetic on it.

export interface TimeRange {
  start: number
  end: number
}

const MIN_SPAN_SEC = 1e-4

/** Keeps a window inside `bounds` without changing its span (unless the span exceeds the bounds). */
export function clampRange(r: TimeRange, bounds: TimeRange): TimeRange {
  const boundSpan = bounds.end - bounds.start
  let span = Math.max(MIN_SPAN_SEC, r.end - r.start)
  if (span >= boundSpan) return { ...bounds }
  let start = r.start
  if (start < bounds.start) start = bounds.start
  if (start + span > bounds.end) start = bounds.end - span
  span = Math.min(span, boundSpan)
  return { start, end: start + span }
}

/** Zoom by `factor` (<1 zooms in) keeping time `anchor` at the same screen position. */
export function zoomRange(r: TimeRange, factor: number, anchor: number, bounds: TimeRange): TimeRange {
  const start = anchor - (anchor - r.start) * factor
  const end = anchor + (r.end - anchor) * factor
  return clampRange({ start, end }, bounds)
}

export function panRange(r: TimeRange, deltaSec: number, bounds: TimeRange): TimeRange {
  return clampRange({ start: r.start + deltaSec, end: r.end + deltaSec }, bounds)
}

export function rangesEqual(a: TimeRange | undefined, b: TimeRange | undefined): boolean {
  return a === b || (!!a && !!b && a.start === b.start && a.end === b.end)
}

/** Shrinks a window wider than `maxSpan` around `anchor` (a view that cannot show more, e.g. raw traces). */
export function limitSpan(r: TimeRange, maxSpan: number, anchor: number, bounds: TimeRange): TimeRange {
  const span = r.end - r.start
  if (!(span > maxSpan)) return r
  const frac = span > 0 ? Math.min(1, Math.max(0, (anchor - r.start) / span)) : 0.5
  const start = anchor - frac * maxSpan
  return clampRange({ start, end: start + maxSpan }, bounds)
}
