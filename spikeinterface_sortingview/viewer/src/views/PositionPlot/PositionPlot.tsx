// PositionPlot: each position dimension over time (points when the position is discontinuous).
import { UNIT_PALETTE } from '../../state/units'
import { list, matrix, numbers, optNum } from '../decode'
import { type PlotSeries, TimeLinePlot } from '../shared/TimeLinePlot'
import { defineView, type ViewProps } from '../viewDefinition'
import { NdArray } from '../../protocol/ndarray'

export interface PositionPlotData {
  series: PlotSeries[]
  timeOffset: number
}

export function decodePositionPlot(raw: Record<string, unknown>): PositionPlotData {
  const t = numbers(raw.timestamps, 'timestamps')
  const labels = list(raw.dimensionLabels, 'dimensionLabels').map(String)
  // positions is (N, D); a 1-D array is a single dimension.
  const isFlat = (raw.positions instanceof NdArray && raw.positions.shape.length === 1) || (Array.isArray(raw.positions) && typeof raw.positions[0] === 'number')
  const m = isFlat ? { data: numbers(raw.positions, 'positions'), rows: t.length, cols: 1 } : matrix(raw.positions, 'positions')
  if (m.rows !== t.length) throw new Error(`positions has ${m.rows} rows but there are ${t.length} timestamps`)
  const discontinuous = raw.discontinuous === true
  const series: PlotSeries[] = []
  for (let d = 0; d < m.cols; d++) {
    const y = new Float32Array(m.rows)
    for (let i = 0; i < m.rows; i++) y[i] = Number(m.data[i * m.cols + d])
    series.push({
      type: discontinuous ? 'marker' : 'line',
      t,
      y,
      color: UNIT_PALETTE[d % UNIT_PALETTE.length] ?? '#1f77b4',
      radius: 1.5,
      title: labels[d] ?? `dim ${d}`,
    })
  }
  return { series, timeOffset: optNum(raw.timeOffset) ?? 0 }
}

function PositionPlotView({ data, width, height }: ViewProps<PositionPlotData>) {
  const label = data.timeOffset !== 0 ? `time (s) from ${data.timeOffset}` : 'time (s)'
  return <TimeLinePlot series={data.series} width={width} height={height} timeLabel={label} />
}

export const positionPlotView = defineView(decodePositionPlot, PositionPlotView, { showsSelection: false })
