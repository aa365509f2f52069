// TimeseriesGraph: named datasets drawn as line, marker or interval series on a shared time axis.
import { isRecord } from '../../protocol/messages'
import { list, numbers, optList, optNum, rec, str } from '../decode'
import { type PlotSeries, TimeLinePlot } from '../shared/TimeLinePlot'
import { defineView, type ViewProps } from '../viewDefinition'

export interface TimeseriesGraphData {
  series: PlotSeries[]
  timeOffset: number
  yRange?: [number, number]
  legendLocation?: string
  hideXGrid: boolean
  hideYGrid: boolean
}

export function decodeTimeseriesGraph(raw: Record<string, unknown>): TimeseriesGraphData {
  const datasets = new Map<string, Record<string, unknown>>()
  list(raw.datasets, 'datasets').forEach((d, i) => {
    const r = rec(d, `datasets[${i}]`)
    datasets.set(str(r.name, `datasets[${i}].name`), rec(r.data, `datasets[${i}].data`))
  })
  const series = list(raw.series, 'series').map((x, i): PlotSeries => {
    const p = `series[${i}]`
    const r = rec(x, p)
    const type = r.type === 'marker' || r.type === 'interval' ? r.type : 'line'
    const dsName = str(r.dataset, `${p}.dataset`)
    const ds = datasets.get(dsName)
    if (!ds) throw new Error(`${p} refers to a dataset "${dsName}" that does not exist`)
    const enc = isRecord(r.encoding) ? r.encoding : {}
    const tKey = typeof enc.t === 'string' ? enc.t : 't'
    const yKey = typeof enc.y === 'string' ? enc.y : 'y'
    const attrs = isRecord(r.attributes) ? r.attributes : {}
    const s: PlotSeries = {
      type,
      t: numbers(ds[tKey], `${dsName}.${tKey}`),
      y: numbers(ds[yKey], `${dsName}.${yKey}`),
      color: typeof attrs.color === 'string' ? attrs.color : '#1f77b4',
      title: typeof r.title === 'string' ? r.title : dsName,
    }
    const w = optNum(attrs.width)
    const rad = optNum(attrs.radius)
    if (w !== undefined) s.width = w
    if (rad !== undefined) s.radius = rad
    if (Array.isArray(attrs.dash)) s.dash = attrs.dash.filter((v): v is number => typeof v === 'number')
    if (typeof attrs.shape === 'string') s.shape = attrs.shape
    return s
  })
  const out: TimeseriesGraphData = {
    series,
    timeOffset: optNum(raw.timeOffset) ?? 0,
    hideXGrid: isRecord(raw.gridlineOpts) && raw.gridlineOpts.hideX === true,
    hideYGrid: isRecord(raw.gridlineOpts) && raw.gridlineOpts.hideY === true,
  }
  const yr = optList(raw.yRange, 'yRange')
  if (yr.length === 2 && typeof yr[0] === 'number' && typeof yr[1] === 'number') out.yRange = [yr[0], yr[1]]
  if (isRecord(raw.legendOpts) && typeof raw.legendOpts.location === 'string') out.legendLocation = raw.legendOpts.location
  return out
}

function TimeseriesGraphView({ data, width, height }: ViewProps<TimeseriesGraphData>) {
  // Times are stored relative to timeOffset (float32 precision); the axis shows them relative too.
  const label = data.timeOffset !== 0 ? `time (s) from ${data.timeOffset}` : 'time (s)'
  return (
    <TimeLinePlot
      series={data.series}
      width={width}
      height={height}
      yRange={data.yRange}
      legendLocation={data.legendLocation}
      hideXGrid={data.hideXGrid}
      hideYGrid={data.hideYGrid}
      timeLabel={label}
    />
  )
}

export const timeseriesGraphView = defineView(decodeTimeseriesGraph, TimeseriesGraphView, { showsSelection: false })
