// ElectrodeGeometry: the probe's electrodes; hovering names the channel.
import { useCallback, useMemo, useState } from 'react'
import { useCanvasDraw } from '../../draw/canvas'
import { channelLocations, type ChannelLocations } from '../decode'
import { HoverReadout } from '../shared/HoverReadout'
import { ProbeZoomButtons } from '../shared/ProbeZoomButtons'
import { boundsOf, drawElectrodes, electrodePitch, makeProbeTransform } from '../shared/probeTransform'
import { isCrowded, useProbeZoom, useProbeZoomWheel } from '../shared/probeZoom'
import { defineView, type ViewProps } from '../viewDefinition'

export interface ElectrodeGeometryData {
  channelLocations: ChannelLocations
}

export function decodeElectrodeGeometry(raw: Record<string, unknown>): ElectrodeGeometryData {
  return { channelLocations: channelLocations(raw.channelLocations, 'channelLocations') }
}

function ElectrodeGeometryView({ data, width, height }: ViewProps<ElectrodeGeometryData>) {
  const [hover, setHover] = useState<string>()
  const fitted = useMemo(
    () => makeProbeTransform(boundsOf(data.channelLocations.values(), 20), width, height, true),
    [data, width, height],
  )
  const zoom = useProbeZoom(fitted)
  const transform = zoom.transform
  const pitchPx = electrodePitch(data.channelLocations) * transform.scale
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      drawElectrodes(ctx, data.channelLocations, transform)
      if (pitchPx < 22) return // too dense for labels; hover names channels instead
      ctx.fillStyle = '#333'
      ctx.font = `${Math.round(Math.max(10, Math.min(16, pitchPx * 0.22)))}px system-ui, sans-serif`
      ctx.textAlign = 'center'
      ctx.textBaseline = 'middle'
      for (const [id, [x, y]] of data.channelLocations) {
        const [sx, sy] = transform.toScreen(x, y)
        ctx.fillText(id, sx, sy)
      }
    },
    [data, transform, pitchPx],
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
          const [px, py] = transform.toProbe(e.clientX - r.left, e.clientY - r.top)
          let best: string | undefined
          let bestD = Infinity
          for (const [id, [x, y]] of data.channelLocations) {
            const d = (x - px) ** 2 + (y - py) ** 2
            if (d < bestD) {
              bestD = d
              best = id
            }
          }
          const loc = best !== undefined ? data.channelLocations.get(best) : undefined
          setHover(best !== undefined && loc ? `channel ${best} at (${loc[0]}, ${loc[1]}) µm` : undefined)
        }}
        onMouseLeave={() => setHover(undefined)}
      />
      <HoverReadout text={hover} />
      <ProbeZoomButtons zoom={zoom} hint={isCrowded(data.channelLocations, fitted)} />
    </div>
  )
}

export const electrodeGeometryView = defineView(decodeElectrodeGeometry, ElectrodeGeometryView, { showsSelection: false })
