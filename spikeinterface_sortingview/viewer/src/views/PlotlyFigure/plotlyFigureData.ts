// PlotlyFigure's data: the plotly figure dict with the figure format's arrays turned back into plain arrays.
import { isRecord } from '../../protocol/messages'
import { NdArray } from '../../protocol/ndarray'
import { ViewDataError } from '../decode'

export interface PlotlyFigureData {
  data: unknown[]
  layout: Record<string, unknown>
  frames?: unknown[]
  title?: string
}

/**
 * Arrays that the figure format wrote as ndarray objects (numpy arrays inside `fig.to_dict()`) become plain
 * arrays, nested by shape (a heat map's `z` is rows of values), as plotly reads them.
 */
export function plainArrays(value: unknown): unknown {
  if (value instanceof NdArray) return nested(value)
  if (Array.isArray(value)) return value.map(plainArrays)
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = plainArrays(v)
    return out
  }
  return value
}

function nested(a: NdArray): unknown[] {
  const shape = a.shape.length === 0 ? [a.data.length] : a.shape
  const build = (offset: number, dim: number): unknown[] => {
    const n = shape[dim] ?? 0
    if (dim === shape.length - 1) return Array.from(a.data.subarray(offset, offset + n))
    const size = shape.slice(dim + 1).reduce((x, y) => x * y, 1)
    const out: unknown[] = []
    for (let i = 0; i < n; i++) out.push(build(offset + i * size, dim + 1))
    return out
  }
  return build(0, 0)
}

export function decodePlotlyFigure(raw: Record<string, unknown>): PlotlyFigureData {
  if (!isRecord(raw.fig)) throw new ViewDataError('fig should be a plotly figure dict ({data, layout})')
  const fig = plainArrays(raw.fig) as Record<string, unknown>
  if (fig.data !== undefined && !Array.isArray(fig.data)) throw new ViewDataError('fig.data should be a list of traces')
  const layout = isRecord(fig.layout) ? fig.layout : {}
  const out: PlotlyFigureData = { data: (fig.data as unknown[] | undefined) ?? [], layout }
  if (Array.isArray(fig.frames)) out.frames = fig.frames
  const title = isRecord(layout.title) ? layout.title.text : layout.title
  if (typeof title === 'string') out.title = title
  return out
}
