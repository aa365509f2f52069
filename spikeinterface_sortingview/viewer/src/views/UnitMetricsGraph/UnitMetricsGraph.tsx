// UnitMetricsGraph: a histogram of each metric across units, with the selected units marked.
import { useCallback, useMemo } from 'react'
import { describeCanvas, formatTick, formatValue, niceTicks } from '../../draw/axes'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { list, optList, rec, str, unitId } from '../decode'
import { fillingCellSize, type GridItem, PlotGrid } from '../shared/PlotGrid'
import { defineView, type ViewProps } from '../viewDefinition'

export interface UnitMetricsGraphData {
  metrics: { key: string; label: string; dtype: string }[]
  units: { unitId: UnitId; values: Record<string, number> }[]
}

export function decodeUnitMetricsGraph(raw: Record<string, unknown>): UnitMetricsGraphData {
  const metrics = optList(raw.metrics, 'metrics').map((x, i) => {
    const r = rec(x, `metrics[${i}]`)
    const key = str(r.key, `metrics[${i}].key`)
    return { key, label: typeof r.label === 'string' ? r.label : key, dtype: typeof r.dtype === 'string' ? r.dtype : 'float' }
  })
  const units = list(raw.units, 'units').map((x, i) => {
    const r = rec(x, `units[${i}]`)
    const values: Record<string, number> = {}
    if (typeof r.values === 'object' && r.values !== null) {
      for (const [k, v] of Object.entries(r.values)) {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN
        if (Number.isFinite(n)) values[k] = n
      }
    }
    return { unitId: unitId(r.unitId, `units[${i}].unitId`), values }
  })
  return { metrics, units }
}

type Item = GridItem & { metric: string; values: { unitId: UnitId; v: number }[] }

const NUM_BINS = 24

function UnitMetricsGraphView({ data, width, height }: ViewProps<UnitMetricsGraphData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const items = useMemo<Item[]>(
    () =>
      data.metrics.map((m) => ({
        key: m.key,
        title: m.label,
        metric: m.key,
        values: data.units.filter((u) => m.key in u.values).map((u) => ({ unitId: u.unitId, v: u.values[m.key] as number })),
      })),
    [data],
  )
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, w: number, h: number, item: Item) => {
      if (item.values.length === 0) return
      let min = Infinity
      let max = -Infinity
      for (const { v } of item.values) {
        min = Math.min(min, v)
        max = Math.max(max, v)
      }
      if (max === min) {
        min -= 0.5
        max += 0.5
      }
      const counts = new Array<number>(NUM_BINS).fill(0)
      const bin = (v: number): number => Math.min(NUM_BINS - 1, Math.floor(((v - min) / (max - min)) * NUM_BINS))
      for (const { v } of item.values) counts[bin(v)] = (counts[bin(v)] ?? 0) + 1
      const maxCount = Math.max(...counts)
      const left = 34
      const right = w - 8
      const top = 8
      const bottom = h - 30
      const sx = (v: number): number => left + ((v - min) / (max - min)) * (right - left)
      ctx.fillStyle = '#9fb3c8'
      counts.forEach((c, i) => {
        const bh = (c / maxCount) * (bottom - top)
        const x0 = left + (i / NUM_BINS) * (right - left)
        ctx.fillRect(x0, bottom - bh, (right - left) / NUM_BINS - 1, bh)
      })
      for (const { unitId: id, v } of item.values) {
        if (!isSelected(selected, id)) continue
        ctx.strokeStyle = unitOrder.color(id)
        ctx.lineWidth = 2
        ctx.beginPath()
        ctx.moveTo(sx(v), top)
        ctx.lineTo(sx(v), bottom)
        ctx.stroke()
      }
      ctx.fillStyle = '#555'
      ctx.strokeStyle = '#999'
      ctx.lineWidth = 1
      ctx.beginPath()
      ctx.moveTo(left - 0.5, top)
      ctx.lineTo(left - 0.5, bottom + 0.5)
      ctx.lineTo(right, bottom + 0.5)
      ctx.stroke()
      ctx.font = '10px system-ui, sans-serif'
      ctx.textBaseline = 'top'
      const ticks = niceTicks(min, max, Math.max(2, Math.floor((right - left) / 60)))
      ctx.textAlign = 'center'
      for (const t of ticks.values) ctx.fillText(formatTick(t, ticks.step), sx(t), bottom + 3)
      ctx.fillText(item.title, (left + right) / 2, bottom + 15)
      // The y axis counts units: whole numbers only.
      const yTicks = niceTicks(0, maxCount, 3)
      const step = Math.max(1, yTicks.step)
      ctx.textAlign = 'right'
      ctx.textBaseline = 'middle'
      for (let c = 0; c <= maxCount; c += step) ctx.fillText(String(c), left - 4, bottom - (c / maxCount) * (bottom - top))
      ctx.save()
      ctx.translate(9, (top + bottom) / 2)
      ctx.rotate(-Math.PI / 2)
      ctx.textAlign = 'center'
      ctx.fillText('units', 0, 0)
      ctx.restore()
      ctx.textBaseline = 'top'
      describeCanvas(ctx, 'axisX', item.title)
      describeCanvas(ctx, 'axisY', 'units')
      const sel = item.values.filter((x) => isSelected(selected, x.unitId))
      if (sel.length === 1 && sel[0]) {
        ctx.textAlign = 'right'
        ctx.fillStyle = '#222'
        ctx.textBaseline = 'top'
        ctx.fillText(`unit ${sel[0].unitId}: ${formatValue(sel[0].v)}`, right, top)
      }
    },
    [selected, unitOrder],
  )
  const cell = fillingCellSize(width, height, items.length)
  return <PlotGrid items={items} cellWidth={cell.width} cellHeight={cell.height} draw={draw} drawVersion={selected.join(',')} height={height} />
}

export const unitMetricsGraphView = defineView(decodeUnitMetricsGraph, UnitMetricsGraphView, { showsSelection: true })
