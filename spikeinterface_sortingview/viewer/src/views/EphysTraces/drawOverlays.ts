// What is drawn over the traces with the canvas API: spike ticks, channel labels.
import { UNIT_PALETTE, type UnitId, type UnitOrder, unitKey } from '../../state/units'
import { rowCentre, type TracesLayout } from './drawTraces'
import type { SpikesWindow } from './tracesTasks'

export const SPIKE_STRIP = 14

/** A unit's colour: the figure's when the figure knows the unit, else by its place in the sorting. */
export function spikeUnitColor(order: UnitOrder, id: UnitId, indexInSorting: number): string {
  return order.index(id) >= 0 ? order.color(id) : (UNIT_PALETTE[indexInSorting % UNIT_PALETTE.length] ?? '#888')
}

/**
 * Spikes as ticks in a strip above the traces, coloured by unit; spikes of selected units also get a faint
 * line through all channels so they can be followed down the probe.
 */
export function drawSpikeTicks(
  ctx: CanvasRenderingContext2D,
  layout: TracesLayout,
  spikes: SpikesWindow,
  samplingFrequency: number,
  order: UnitOrder,
  selectedKeys: ReadonlySet<string>,
): void {
  const { plot, t0, t1 } = layout
  const kx = plot.width / ((t1 - t0) * samplingFrequency)
  const ax = plot.left - t0 * samplingFrequency * kx
  const colors = spikes.unitIds.map((id, i) => spikeUnitColor(order, id, i))
  const selected = spikes.unitIds.map((id) => selectedKeys.has(unitKey(id)))
  const stripTop = plot.top - SPIKE_STRIP - 2
  ctx.save()
  ctx.lineWidth = 1
  for (let i = 0; i < spikes.spikeFrames.length; i++) {
    const x = Math.round(ax + (spikes.spikeFrames[i] as number) * kx) + 0.5
    if (x < plot.left || x > plot.left + plot.width) continue
    const u = spikes.spikeUnitIndices[i] as number
    ctx.strokeStyle = colors[u] ?? '#888'
    ctx.globalAlpha = 1
    ctx.beginPath()
    ctx.moveTo(x, stripTop)
    ctx.lineTo(x, stripTop + SPIKE_STRIP)
    ctx.stroke()
    if (selected[u]) {
      ctx.globalAlpha = 0.35
      ctx.beginPath()
      ctx.moveTo(x, plot.top)
      ctx.lineTo(x, plot.top + plot.height)
      ctx.stroke()
    }
  }
  ctx.restore()
}

/** Channel ids beside their rows, thinned out so that labels never overlap. */
export function drawChannelLabels(ctx: CanvasRenderingContext2D, layout: TracesLayout, channelsTopDown: readonly string[]): void {
  const pitch = layout.plot.height / Math.max(1, layout.numRows)
  const every = Math.max(1, Math.ceil(12 / pitch))
  ctx.save()
  ctx.font = '10px system-ui, sans-serif'
  ctx.fillStyle = '#555'
  ctx.textAlign = 'right'
  ctx.textBaseline = 'middle'
  channelsTopDown.forEach((id, row) => {
    if (row % every === 0) ctx.fillText(id, layout.plot.left - 6, rowCentre(layout, row))
  })
  ctx.restore()
}
