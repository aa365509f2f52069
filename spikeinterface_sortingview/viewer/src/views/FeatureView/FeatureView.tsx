// FeatureView: the first two principal components of the selected unit's spikes (computed by the runner),
// with a lasso to split the unit along them.
import { useCallback, useMemo } from 'react'
import { drawXAxis, drawYAxis } from '../../draw/axes'
import { colorToPixel, PixelBuffer, useCanvasDraw } from '../../draw/canvas'
import { computeErrorText } from '../../compute/computeClient'
import { useTask } from '../../compute/useTask'
import { useMergeGroups, useSplits } from '../../figure/curationHooks'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { fadeColor } from '../../draw/canvas'
import type { DisplayUnit } from '../../state/mergeDisplay'
import { isSelected } from '../../state/selection'
import { partOfSpikes, partsBySource, type SplitSourceParts } from '../../state/splitParts'
import { unitKey } from '../../state/units'
import { num, optNum, rec, str } from '../decode'
import { drawPolygon } from '../shared/drawPolygon'
import { type Point, pointInPolygon } from '../shared/lasso'
import { LassoOverlay } from '../shared/LassoOverlay'
import { ViewMessage } from '../shared/Message'
import { PART_COLORS, SplitControls, SplitPreviewPanel } from '../shared/SplitPreview'
import { parseUnitFeatures, type SplitSource, unitFeaturesRequest } from '../shared/splitRequest'
import { useSplit } from '../shared/useSplit'
import { defineView, type ViewProps } from '../viewDefinition'

export interface FeatureViewData {
  sortingUri: string
  recordingUri: string
  msBefore: number
  msAfter: number
  numChannels: number
  /** The analyzer's fitted PCA (principal_components extension), which the runner projects every spike with */
  pcaModelUri?: string
}

export function decodeFeatureView(raw: Record<string, unknown>): FeatureViewData {
  rec(raw, 'FeatureView')
  return {
    sortingUri: str(raw.sortingUri, 'sortingUri'),
    recordingUri: str(raw.recordingUri, 'recordingUri'),
    msBefore: optNum(raw.msBefore) ?? 1,
    msAfter: optNum(raw.msAfter) ?? 2,
    numChannels: raw.numChannels === undefined ? 8 : num(raw.numChannels, 'numChannels'),
    pcaModelUri: raw.pcaModelUri === undefined ? undefined : str(raw.pcaModelUri, 'pcaModelUri'),
  }
}

const MARGIN = { left: 64, right: 12, top: 26, bottom: 40 }
// Spikes drawn; the split itself takes every spike of the unit.
const DRAWN_SPIKES = 5000

function FeatureViewComponent({ data, width, height }: ViewProps<FeatureViewData>) {
  const { unitOrder } = useFigure()
  const source = useMemo(
    (): SplitSource => ({
      sortingUri: data.sortingUri,
      feature: 'pca',
      recordingUri: data.recordingUri,
      pca: {
        ms_before: data.msBefore,
        ms_after: data.msAfter,
        num_channels: data.numChannels,
        ...(data.pcaModelUri ? { pca_model_uri: data.pcaModelUri } : {}),
      },
    }),
    [data],
  )
  const split = useSplit(source)
  const selected = useSelection()
  const mergeGroups = useMergeGroups()
  const splits = useSplits()
  const sources = useMemo(() => partsBySource({ mergeGroups, splits }, unitOrder), [mergeGroups, splits, unitOrder])
  // Parts selected (of one split unit): the unit they came from is drawn, each spike in its part's colour.
  const partTarget = useMemo(() => (split.target ? undefined : selectedParts(selected, sources)), [split.target, selected, sources])
  const target = split.target ?? partTarget?.unit
  const features = useTask(target ? unitFeaturesRequest(source, target, DRAWN_SPIKES) : undefined, parseUnitFeatures)
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right)
  const plotH = Math.max(10, height - MARGIN.top - MARGIN.bottom)
  const ready = features.status === 'ready' ? features.value : undefined
  const partOf = useMemo(() => (partTarget && ready ? partOfSpikes(ready.positions.data, partTarget.parts.parts) : undefined), [partTarget, ready])
  const bounds = useMemo(() => {
    if (!ready) return undefined
    const f = ready.features.data
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity]
    for (let i = 0; i + 1 < f.length; i += 2) {
      const x = f[i] as number
      const y = f[i + 1] as number
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue
      x0 = Math.min(x0, x)
      x1 = Math.max(x1, x)
      y0 = Math.min(y0, y)
      y1 = Math.max(y1, y)
    }
    if (!(x1 > x0) || !(y1 > y0)) return undefined
    const px = (x1 - x0) * 0.05
    const py = (y1 - y0) * 0.05
    return { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py }
  }, [ready])
  const toScreen = useCallback(
    ([x, y]: Point): Point =>
      bounds ? [MARGIN.left + ((x - bounds.x0) / (bounds.x1 - bounds.x0)) * plotW, MARGIN.top + ((bounds.y1 - y) / (bounds.y1 - bounds.y0)) * plotH] : [0, 0],
    [bounds, plotW, plotH],
  )
  const toFeature = useCallback(
    ([sx, sy]: Point): Point =>
      bounds ? [bounds.x0 + ((sx - MARGIN.left) / plotW) * (bounds.x1 - bounds.x0), bounds.y1 - ((sy - MARGIN.top) / plotH) * (bounds.y1 - bounds.y0)] : [0, 0],
    [bounds, plotW, plotH],
  )
  const color = target ? unitOrder.color(target.unitIds[0] as string | number) : '#888'

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      if (!ready || !bounds) return
      const area = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }
      const dpr = window.devicePixelRatio || 1
      const buf = PixelBuffer.for(ctx)
      const size = Math.max(2, Math.round(2 * dpr))
      const base = colorToPixel(color, 170)
      const inside = colorToPixel(PART_COLORS[0], 220)
      const partPixels = partTarget?.parts.parts.map((p) => colorToPixel(isSelected(selected, p.key) ? p.color : fadeColor(p.color, 0.8), 220)) ?? []
      const f = ready.features.data
      for (let i = 0; i + 1 < f.length; i += 2) {
        const x = f[i] as number
        const y = f[i + 1] as number
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue
        const [sx, sy] = toScreen([x, y])
        const hit = split.polygon !== undefined && pointInPolygon(x, y, split.polygon)
        const part = partOf ? (partOf[i >> 1] as number) : -1
        buf.fillRect((sx * dpr) | 0, (sy * dpr) | 0, size, size, hit ? inside : part >= 0 ? (partPixels[part] as number) : base)
      }
      buf.put(ctx)
      if (split.polygon) drawPolygon(ctx, split.polygon.map(toScreen), area)
      const [v1, v2] = ready.explainedVarianceRatio
      const label = (name: string, v: number | undefined) => (v === undefined ? name : `${name} (${(v * 100).toFixed(0)} % of variance)`)
      drawXAxis(ctx, area, bounds.x0, bounds.x1, label(ready.axisLabels[0], v1))
      drawYAxis(ctx, area, bounds.y0, bounds.y1, label(ready.axisLabels[1], v2))
      ctx.fillStyle = '#444'
      ctx.font = '11px system-ui, sans-serif'
      const from = ready.pcaSource === 'runner' || !ready.pcaSource ? '' : ` · PCA: ${ready.pcaSource}`
      const parts = partTarget ? ` (parts ${partTarget.parts.parts.map((p) => p.key).join(', ')})` : ''
      ctx.fillText(`unit ${target?.key ?? ''}${parts}: ${ready.positions.data.length} of ${ready.numSpikes} spikes drawn${from}`, MARGIN.left, 14)
    },
    [ready, bounds, plotW, plotH, color, split.polygon, toScreen, target, partTarget, partOf, selected],
  )
  const { canvasRef } = useCanvasDraw(draw, width, height, [draw])

  if (!target) return <ViewMessage>Select one unit (or merged unit) to see the principal components of its spikes and split it.</ViewMessage>
  return (
    <div className="time-plot" data-testid="feature-view">
      <canvas ref={canvasRef} />
      {features.status === 'loading' && <div className="view-note-overlay">Computing the principal components of {target.key} on the runner…</div>}
      {features.status === 'error' && <ViewMessage tone="error">{computeErrorText(features.error, `the principal components of ${target.key}`)}</ViewMessage>}
      {split.lassoActive && bounds && (
        <LassoOverlay area={{ left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH }} onLasso={(screen) => split.propose(screen.map(toFeature))} />
      )}
      <SplitControls split={split} />
      <SplitPreviewPanel split={split} />
    </div>
  )
}

/** The split unit whose parts are selected (all selected parts of one unit), drawn whole with its parts coloured. */
function selectedParts(selected: readonly (string | number)[], sources: Map<string, SplitSourceParts>): { unit: DisplayUnit; parts: SplitSourceParts } | undefined {
  let found: [string, SplitSourceParts] | undefined
  for (const id of selected) {
    const entry = [...sources].find(([, e]) => e.parts.some((p) => p.key === unitKey(id)))
    if (!entry) return undefined
    if (found && found[0] !== entry[0]) return undefined
    found = entry
  }
  if (!found) return undefined
  const [key, parts] = found
  return { unit: { key, unitIds: parts.members, merged: parts.members.length > 1 }, parts }
}

export const featureView = defineView(decodeFeatureView, FeatureViewComponent, { showsSelection: true })
