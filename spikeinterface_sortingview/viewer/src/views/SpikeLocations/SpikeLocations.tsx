// SpikeLocations: estimated position of every spike over the electrodes, for the selected units (or all).
import { useCallback, useMemo, useState } from 'react'
import { formatValue } from '../../draw/axes'
import { colorToPixel, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { channelLocations, type ChannelLocations, list, type Numbers, numbers, optNumbers, optStr, rec, unitId } from '../decode'
import { drawPolygon } from '../shared/drawPolygon'
import type { Point } from '../shared/lasso'
import { LassoOverlay } from '../shared/LassoOverlay'
import { SplitControls, SplitPreviewPanel } from '../shared/SplitPreview'
import type { SplitSource } from '../shared/splitRequest'
import { useSplit } from '../shared/useSplit'
import { HoverReadout } from '../shared/HoverReadout'
import { ProbeZoomButtons } from '../shared/ProbeZoomButtons'
import { boundsOf, drawElectrodes, drawProbeAxes, fitProbe, robustBounds, STRETCH_LIMIT } from '../shared/probeTransform'
import { probeArea } from '../UnitLocations/UnitLocations'
import { useProbeZoom, useProbeZoomWheel } from '../shared/probeZoom'
import { defineView, type ViewProps } from '../viewDefinition'

export interface SpikeLocationsData {
  units: { unitId: UnitId; spikeTimesSec: Numbers; xLocations: Numbers; yLocations: Numbers }[]
  xRange?: Numbers
  yRange?: Numbers
  channelLocations: ChannelLocations
  disableAutoRotate: boolean
  hideUnitSelector: boolean
  /** This project's extension: the shared sorting and every spike's location, to split units */
  sortingUri?: string
  spikeFeaturesUri?: string
  recordingUri?: string
}

export function decodeSpikeLocations(raw: Record<string, unknown>): SpikeLocationsData {
  const data: SpikeLocationsData = {
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
    hideUnitSelector: raw.hideUnitSelector === true,
  }
  for (const key of ['sortingUri', 'spikeFeaturesUri', 'recordingUri'] as const) {
    const uri = optStr(raw[key])
    if (uri) data[key] = uri
  }
  return data
}

function splitSource(data: SpikeLocationsData): SplitSource | undefined {
  if (!data.sortingUri || !data.spikeFeaturesUri) return undefined
  const source: SplitSource = { sortingUri: data.sortingUri, feature: 'locations', spikeFeaturesUri: data.spikeFeaturesUri }
  if (data.recordingUri) source.recordingUri = data.recordingUri
  return source
}

function SpikeLocationsView({ data, width, height }: ViewProps<SpikeLocationsData>) {
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const [hover, setHover] = useState<string>()
  const area = useMemo(() => probeArea(width, height), [width, height])
  // Fitted to where the spikes are (all but the 0.5 % outliers on each side), not to the probe or the figure's
  // x/y range: those leave the spikes a small blob in a large empty panel.
  const fitted = useMemo(() => {
    const b =
      robustBounds(
        data.units.map((u) => u.xLocations),
        data.units.map((u) => u.yLocations),
        0.005,
        10,
      ) ?? boundsOf(data.channelLocations.values(), 20)
    return fitProbe(b, area, !data.disableAutoRotate, STRETCH_LIMIT)
  }, [data, area])
  const zoom = useProbeZoom(fitted)
  const source = useMemo(() => splitSource(data), [data])
  const split = useSplit(source)
  const transform = zoom.transform
  const shown = useMemo(
    () => (selected.length > 0 ? data.units.filter((u) => isSelected(selected, u.unitId)) : data.units),
    [data, selected],
  )

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      ctx.save()
      ctx.beginPath()
      ctx.rect(area.left, area.top, area.width, area.height)
      ctx.clip()
      drawElectrodes(ctx, data.channelLocations, transform)
      ctx.restore()
      // Spikes as 2-pixel marks written straight into the pixel buffer over the electrodes.
      const dpr = window.devicePixelRatio || 1
      const buf = new PixelBuffer(ctx)
      buf.pixels.set(new Uint32Array(ctx.getImageData(0, 0, buf.width, buf.height).data.buffer))
      const size = Math.max(2, Math.round(2 * dpr))
      const [left, top] = [area.left, area.top]
      const [right, bottom] = [area.left + area.width - size / dpr, area.top + area.height - size / dpr]
      for (const u of shown) {
        const pixel = colorToPixel(unitOrder.color(u.unitId), 200)
        for (let i = 0; i < u.xLocations.length; i++) {
          const [sx, sy] = transform.toScreen(u.xLocations[i] as number, u.yLocations[i] as number)
          if (sx < left || sx > right || sy < top || sy > bottom) continue
          buf.fillRect(sx * dpr, sy * dpr, size, size, pixel)
        }
      }
      buf.put(ctx)
      if (split.polygon) drawPolygon(ctx, split.polygon.map(([x, y]) => transform.toScreen(x, y)), area)
      drawProbeAxes(ctx, transform, area)
    },
    [data, transform, shown, unitOrder, area, split.polygon],
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
      {selected.length === 0 && !data.hideUnitSelector && <div className="view-note-overlay">All units shown; select units in the table to focus on them.</div>}
      <HoverReadout text={hover} />
      <ProbeZoomButtons zoom={zoom} hint={false} />
      {split.lassoActive && split.target && (
        // Screen pixels to probe µm: the space of the spikes' x and y.
        <LassoOverlay area={area} onLasso={(screen) => split.propose(screen.map(([x, y]): Point => transform.toProbe(x, y)))} />
      )}
      <SplitControls split={split} />
      <SplitPreviewPanel split={split} />
    </div>
  )
}

export const spikeLocationsView = defineView(decodeSpikeLocations, SpikeLocationsView, { showsSelection: true })
