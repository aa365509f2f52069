// UnitLocations: each unit as a dot at its estimated position over the electrode layout.
import { useCallback, useMemo, useState } from 'react'
import { formatValue } from '../../draw/axes'
import { useCanvasDraw } from '../../draw/canvas'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { channelLocations, type ChannelLocations, list, num, rec, unitId } from '../decode'
import { HoverReadout } from '../shared/HoverReadout'
import { type Bounds, boundsOf, drawElectrodes, drawProbeAxes, fitProbe, PROBE_AXES_MARGIN, STRETCH_LIMIT } from '../shared/probeTransform'
import { ProbeZoomButtons } from '../shared/ProbeZoomButtons'
import { isCrowded, useProbeZoom, useProbeZoomWheel } from '../shared/probeZoom'
import { useUnitClick } from '../shared/useUnitClick'
import { defineView, type ViewProps } from '../viewDefinition'

export interface UnitLocationsData {
  units: { unitId: UnitId; x: number; y: number }[]
  channelLocations: ChannelLocations
  disableAutoRotate: boolean
}

export function decodeUnitLocations(raw: Record<string, unknown>): UnitLocationsData {
  return {
    units: list(raw.units, 'units').map((x, i) => {
      const r = rec(x, `units[${i}]`)
      return { unitId: unitId(r.unitId, `units[${i}].unitId`), x: num(r.x, `units[${i}].x`), y: num(r.y, `units[${i}].y`) }
    }),
    channelLocations: channelLocations(raw.channelLocations, 'channelLocations'),
    disableAutoRotate: raw.disableAutoRotate === true,
  }
}

/** The drawing's area inside the panel: room for the µm axes on the left and at the bottom. */
export function probeArea(width: number, height: number): { left: number; top: number; width: number; height: number } {
  const m = PROBE_AXES_MARGIN
  return { left: m.left, top: m.top, width: Math.max(10, width - m.left - m.right), height: Math.max(10, height - m.top - m.bottom) }
}

/**
 * The units' bounds, but no further than `probe` (the electrodes with a margin): a unit localised hundreds of µm
 * off the probe (a poor estimate) would otherwise squeeze all the others into a corner. Such a unit is
 * outside the fitted view; zooming out is not needed to see the rest.
 */
export function unitBounds(units: Bounds, probe: Bounds): Bounds {
  const b = { xmin: Math.max(units.xmin, probe.xmin), xmax: Math.min(units.xmax, probe.xmax), ymin: Math.max(units.ymin, probe.ymin), ymax: Math.min(units.ymax, probe.ymax) }
  return b.xmax > b.xmin && b.ymax > b.ymin ? b : units
}

function UnitLocationsView({ data, width, height }: ViewProps<UnitLocationsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const onUnitClick = useUnitClick()
  const [hover, setHover] = useState<string>()
  const area = useMemo(() => probeArea(width, height), [width, height])
  // Fitted to the units (not the whole probe: on a long probe they may sit in a part of it), stretched
  // across so that the width is used; the µm axes show the stretch.
  const fitted = useMemo(() => {
    const pts: [number, number][] = data.units.length > 0 ? data.units.map((u): [number, number] => [u.x, u.y]) : [...data.channelLocations.values()]
    return fitProbe(unitBounds(boundsOf(pts, 20), boundsOf(data.channelLocations.values(), 60)), area, !data.disableAutoRotate, STRETCH_LIMIT)
  }, [data, area])
  const zoom = useProbeZoom(fitted)
  const transform = zoom.transform
  // Selected units are drawn last so they sit on top.
  const ordered = useMemo(
    () => [...data.units].sort((a, b) => Number(isSelected(selected, a.unitId)) - Number(isSelected(selected, b.unitId))),
    [data, selected],
  )

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      ctx.save()
      ctx.beginPath()
      ctx.rect(area.left, area.top, area.width, area.height)
      ctx.clip()
      drawElectrodes(ctx, data.channelLocations, transform)
      for (const u of ordered) {
        const [sx, sy] = transform.toScreen(u.x, u.y)
        const sel = isSelected(selected, u.unitId)
        ctx.beginPath()
        ctx.arc(sx, sy, sel ? 7 : 4.5, 0, 2 * Math.PI)
        ctx.fillStyle = unitOrder.color(u.unitId)
        ctx.globalAlpha = selected.length > 0 && !sel ? 0.45 : 1
        ctx.fill()
        ctx.globalAlpha = 1
        if (sel) {
          ctx.strokeStyle = '#000'
          ctx.lineWidth = 1.5
          ctx.stroke()
        }
      }
      ctx.restore()
      drawProbeAxes(ctx, transform, area)
    },
    [data, ordered, transform, selected, unitOrder, area],
  )
  const { canvasRef } = useCanvasDraw(draw, width, height, [draw])
  useProbeZoomWheel(canvasRef, zoom.setZoom)

  const nearest = (e: React.MouseEvent): (typeof data.units)[number] | undefined => {
    const r = e.currentTarget.getBoundingClientRect()
    const x = e.clientX - r.left
    const y = e.clientY - r.top
    let best: (typeof data.units)[number] | undefined
    let bestD = 100
    for (const u of data.units) {
      const [sx, sy] = transform.toScreen(u.x, u.y)
      const d = (sx - x) ** 2 + (sy - y) ** 2
      if (d < bestD) {
        bestD = d
        best = u
      }
    }
    return best
  }

  return (
    <div className="time-plot">
      <canvas
        ref={canvasRef}
        {...zoom.canvasProps}
        onClick={(e) => {
          if (zoom.wasDrag()) return
          const u = nearest(e)
          if (u) onUnitClick(u.unitId, e)
        }}
        onMouseMove={(e) => {
          const u = nearest(e)
          setHover(u ? `unit ${u.unitId} · x ${formatValue(u.x)} µm, y ${formatValue(u.y)} µm` : undefined)
        }}
        onMouseLeave={() => setHover(undefined)}
      />
      <HoverReadout text={hover} />
      <ProbeZoomButtons zoom={zoom} hint={isCrowded(data.channelLocations, fitted)} />
    </div>
  )
}

export const unitLocationsView = defineView(decodeUnitLocations, UnitLocationsView, { showsSelection: true })
