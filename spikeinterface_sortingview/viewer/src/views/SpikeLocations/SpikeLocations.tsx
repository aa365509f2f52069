// SpikeLocations: estimated position of every spike over the electrodes, for the selected units (or all).
import { useCallback, useMemo, useState } from 'react'
import { formatValue } from '../../draw/axes'
import { colorToPixel, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { channelLocations, type ChannelLocations, list, type Numbers, numbers, optNumbers, rec, unitId } from '../decode'
import { HoverReadout } from '../shared/HoverReadout'
import { ProbeZoomButtons } from '../shared/ProbeZoomButtons'
import { type Bounds, boundsOf, drawElectrodes, makeProbeTransform } from '../shared/probeTransform'
import { useProbeZoom, useProbeZoomWheel } from '../shared/probeZoom'
import { defineView, type ViewProps } from '../viewDefinition'

export interface SpikeLocationsData {
  units: { unitId: UnitId; spikeTimesSec: Numbers; xLocations: Numbers; yLocations: Numbers }[]
  xRange?: Numbers
  yRange?: Numbers
  channelLocations: ChannelLocations
  disableAutoRotate: boolean
}

export function decodeSpikeLocations(raw: Record<string, unknown>): SpikeLocationsData {
  return {
    units: list(raw.units, 'units').map((x, i) => {
      const p = `units[${i}]`
      const r = rec(x, p)
      return {
        unitId: unitId(r.unitId, `${p}.unitId`),
        spikeTimesSec: numbers(r.spikeTimesSec, `${p}.spikeTimesSec`),
        xLocations: numbers(r.xLocations, `${p}.xLocations`),
        yLocations: numbers(r.yLocations, `${p}.yLocations`),
      }
    }),
    xRange: optNumbers(raw.xRange, 'xRange'),
    yRange: optNumbers(raw.yRange, 'yRange'),
    channelLocations: channelLocations(raw.channelLocations, 'channelLocations'),
    disableAutoRotate: raw.disableAutoRotate === true,
  }
}

function SpikeLocationsView({ data, width, height }: ViewProps<SpikeLocationsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const [hover, setHover] = useState<string>()
  const fitted = useMemo(() => {
    let b: Bounds = boundsOf(data.channelLocations.values(), 20)
    if (data.xRange && data.yRange && data.xRange.length >= 2 && data.yRange.length >= 2) {
      b = {
        xmin: Math.min(b.xmin, Number(data.xRange[0])),
        xmax: Math.max(b.xmax, Number(data.xRange[1])),
        ymin: Math.min(b.ymin, Number(data.yRange[0])),
        ymax: Math.max(b.ymax, Number(data.yRange[1])),
      }
    }
    return makeProbeTransform(b, width, height, !data.disableAutoRotate)
  }, [data, width, height])
  const zoom = useProbeZoom(fitted)
  const transform = zoom.transform
  const shown = useMemo(
    () => (selected.length > 0 ? data.units.filter((u) => isSelected(selected, u.unitId)) : data.units),
    [data, selected],
  )

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      drawElectrodes(ctx, data.channelLocations, transform)
      // Spikes as 2-pixel marks written straight into the pixel buffer over the electrodes.
      const dpr = window.devicePixelRatio || 1
      const buf = new PixelBuffer(ctx)
      buf.pixels.set(new Uint32Array(ctx.getImageData(0, 0, buf.width, buf.height).data.buffer))
      const size = Math.max(1, Math.round(1.5 * dpr))
      for (const u of shown) {
        const pixel = colorToPixel(unitOrder.color(u.unitId), 200)
        for (let i = 0; i < u.xLocations.length; i++) {
          const [sx, sy] = transform.toScreen(u.xLocations[i] as number, u.yLocations[i] as number)
          buf.fillRect(sx * dpr, sy * dpr, size, size, pixel)
        }
      }
      buf.put(ctx)
    },
    [data, transform, shown, unitOrder],
  )
  const { canvasRef } = useCanvasDraw(draw, width, height, [draw])
  useProbeZoomWheel(canvasRef, zoom.setZoom)

  return (
    <div className="time-plot">
      <canvas
        ref={canvasRef}
        {...zoom.canvasProps}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect()
          const [x, y] = transform.toProbe(e.clientX - r.left, e.clientY - r.top)
          setHover(`x ${formatValue(x)} µm, y ${formatValue(y)} µm`)
        }}
        onMouseLeave={() => setHover(undefined)}
      />
      {selected.length === 0 && <div className="view-note-overlay">All units shown; select units to focus on them.</div>}
      <HoverReadout text={hover} />
      <ProbeZoomButtons zoom={zoom} hint={false} />
    </div>
  )
}

export const spikeLocationsView = defineView(decodeSpikeLocations, SpikeLocationsView, { showsSelection: true })
