// Tick placement, number formatting and axis drawing for canvas plots (CSS-pixel coordinates).

export interface Ticks {
  values: number[]
  step: number
}

/** About `target` round-numbered ticks (1, 2, 5 x 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, target: number): Ticks {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return { values: Number.isFinite(min) ? [min] : [], step: 1 }
  const raw = (max - min) / Math.max(1, target)
  const mag = Math.pow(10, Math.floor(Math.log10(raw)))
  const norm = raw / mag
  const step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag
  const values: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) values.push(Math.abs(v) < step * 1e-9 ? 0 : v)
  return { values, step }
}

export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)))
  return v.toFixed(decimals)
}

/** Short readable number for read-outs. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2)
  return Number(v.toPrecision(4)).toString()
}

export interface Rect {
  left: number
  top: number
  width: number
  height: number
}

const AXIS_COLOR = '#555'
const GRID_COLOR = '#ececec'
const FONT = '11px system-ui, sans-serif'

/**
 * Writes what a canvas shows that the DOM cannot see (axis labels with their units, a colour scale) onto the
 * canvas element as data attributes, from the same code that draws it: tests and assistive tools read them.
 */
export function describeCanvas(ctx: CanvasRenderingContext2D, key: 'axisX' | 'axisY' | 'colorScale', text: string | undefined): void {
  const canvas = ctx.canvas as HTMLCanvasElement
  if (!canvas.dataset) return
  if (text) canvas.dataset[key] = text
  else delete canvas.dataset[key]
}

export function drawXAxis(ctx: CanvasRenderingContext2D, area: Rect, min: number, max: number, label?: string, grid = false): void {
  describeCanvas(ctx, 'axisX', label)
  const ticks = niceTicks(min, max, Math.max(2, Math.floor(area.width / 90)))
  const y = area.top + area.height
  ctx.save()
  ctx.font = FONT
  ctx.fillStyle = AXIS_COLOR
  ctx.strokeStyle = AXIS_COLOR
  ctx.lineWidth = 1
  ctx.beginPath()
  ctx.moveTo(area.left, y + 0.5)
  ctx.lineTo(area.left + area.width, y + 0.5)
  ctx.stroke()
  ctx.textAlign = 'center'
  ctx.textBaseline = 'top'
  for (const v of ticks.values) {
    const x = Math.round(area.left + ((v - min) / (max - min)) * area.width) + 0.5
    if (grid) {
      ctx.strokeStyle = GRID_COLOR
      ctx.beginPath()
      ctx.moveTo(x, area.top)
      ctx.lineTo(x, y)
      ctx.stroke()
      ctx.strokeStyle = AXIS_COLOR
    }
    ctx.beginPath()
    ctx.moveTo(x, y)
    ctx.lineTo(x, y + 4)
    ctx.stroke()
    ctx.fillText(formatTick(v, ticks.step), x, y + 5)
  }
  if (label) {
    ctx.fillText(label, area.left + area.width / 2, y + 19)
  }
  ctx.restore()
}

export function drawYAxis(ctx: CanvasRenderingContext2D, area: Rect, min: number, max: number, label?: string, grid = false): void {
  describeCanvas(ctx, 'axisY', label)
  const ticks = niceTicks(min, max, Math.max(2, Math.floor(area.height / 40)))
  ctx.save()
  ctx.font = FONT
  ctx.fillStyle = AXIS_COLOR
  ctx.strokeStyle = AXIS_COLOR
  ctx.lineWidth = 1
  ctx.beginPath()
  ctx.moveTo(area.left - 0.5, area.top)
  ctx.lineTo(area.left - 0.5, area.top + area.height)
  ctx.stroke()
  ctx.textAlign = 'right'
  ctx.textBaseline = 'middle'
  for (const v of ticks.values) {
    const y = Math.round(area.top + area.height - ((v - min) / (max - min)) * area.height) + 0.5
    if (grid) {
      ctx.strokeStyle = GRID_COLOR
      ctx.beginPath()
      ctx.moveTo(area.left, y)
      ctx.lineTo(area.left + area.width, y)
      ctx.stroke()
      ctx.strokeStyle = AXIS_COLOR
    }
    ctx.beginPath()
    ctx.moveTo(area.left - 4, y)
    ctx.lineTo(area.left, y)
    ctx.stroke()
    ctx.fillText(formatTick(v, ticks.step), area.left - 6, y)
  }
  if (label) {
    ctx.translate(10, area.top + area.height / 2)
    ctx.rotate(-Math.PI / 2)
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    ctx.fillText(label, 0, -8)
  }
  ctx.restore()
}

/** First index i with a[i] >= v in an ascending array (binary search). */
export function lowerBound(a: ArrayLike<number>, v: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((a[mid] as number) < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Min and max of finite values (NaN-safe); [0, 1] for empty input. */
export function extent(values: Iterable<ArrayLike<number>>): [number, number] {
  let min = Infinity
  let max = -Infinity
  for (const arr of values) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i] as number
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  if (!(max >= min)) return [0, 1]
  if (max === min) return [min - 1, max + 1]
  return [min, max]
}
