// UnitSimilarityMatrix: heat map of pairwise similarity; clicking a cell selects the pair.
import { useCallback, useMemo, useRef, useState } from 'react'
import { useCanvasDraw } from '../../draw/canvas'
import { drawColorBar, viridis } from '../../draw/colorScale'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import { type UnitId, unitKey } from '../../state/units'
import { list, rec, unitId } from '../decode'
import { HoverReadout } from '../shared/HoverReadout'
import { defineView, type ViewProps } from '../viewDefinition'

export interface UnitSimilarityMatrixData {
  unitIds: UnitId[]
  similarity: Map<string, number>
}

export function decodeUnitSimilarityMatrix(raw: Record<string, unknown>): UnitSimilarityMatrixData {
  const similarity = new Map<string, number>()
  list(raw.similarityScores, 'similarityScores').forEach((x, i) => {
    const r = rec(x, `similarityScores[${i}]`)
    if (typeof r.similarity === 'number') {
      similarity.set(`${unitKey(unitId(r.unitId1, 'unitId1'))}|${unitKey(unitId(r.unitId2, 'unitId2'))}`, r.similarity)
    }
  })
  return { unitIds: list(raw.unitIds, 'unitIds').map((u, i) => unitId(u, `unitIds[${i}]`)), similarity }
}

const LABEL_SPACE = 36
/** Room right of the matrix for the colour bar, its ticks and its label */
const COLOR_BAR_SPACE = 84
/** Cells may be up to this much wider than tall (or taller than wide), so the matrix uses the panel */
const MAX_CELL_ASPECT = 1.6

/** Cell sizes filling a width x height area with an n x n matrix. */
export function matrixCells(width: number, height: number, n: number): { cw: number; ch: number } {
  const w = Math.max(20, width - LABEL_SPACE - COLOR_BAR_SPACE) / Math.max(1, n)
  const h = Math.max(20, height - LABEL_SPACE - 8) / Math.max(1, n)
  return { cw: Math.min(w, h * MAX_CELL_ASPECT), ch: Math.min(h, w * MAX_CELL_ASPECT) }
}

/** The colour scale's range: 0..1 for the usual similarities, widened when some values fall outside. */
export function similarityRange(values: Iterable<number>): [number, number] {
  let lo = 0
  let hi = 1
  for (const v of values) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo, hi]
}

function UnitSimilarityMatrixView({ data, width, height }: ViewProps<UnitSimilarityMatrixData>) {
  const { unitOrder, selection } = useFigure()
  const selected = useSelection()
  const [hover, setHover] = useState<string>()
  const ids = useMemo(() => unitOrder.sort(data.unitIds), [data, unitOrder])
  const n = ids.length
  const { cw, ch } = matrixCells(width, height, n)
  const [vmin, vmax] = useMemo(() => similarityRange(data.similarity.values()), [data])
  const value = (a: UnitId, b: UnitId): number | undefined =>
    data.similarity.get(`${unitKey(a)}|${unitKey(b)}`) ?? data.similarity.get(`${unitKey(b)}|${unitKey(a)}`)

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const mw = cw * n
      const mh = ch * n
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = value(ids[i] as UnitId, ids[j] as UnitId)
          const x = LABEL_SPACE + j * cw
          const y = LABEL_SPACE + i * ch
          if (v === undefined) {
            // No value (e.g. the diagonal SpikeInterface leaves out): grey, hatched, unlike any colour of the scale.
            ctx.fillStyle = '#e5e7eb'
            ctx.fillRect(x, y, Math.ceil(cw), Math.ceil(ch))
            ctx.save()
            ctx.beginPath()
            ctx.rect(x, y, cw, ch)
            ctx.clip()
            ctx.strokeStyle = '#b8bcc4'
            ctx.lineWidth = 1
            ctx.beginPath()
            for (let d = -ch; d < cw; d += 6) {
              ctx.moveTo(x + d, y + ch)
              ctx.lineTo(x + d + ch, y)
            }
            ctx.stroke()
            ctx.restore()
            continue
          }
          ctx.fillStyle = viridis((v - vmin) / (vmax - vmin))
          ctx.fillRect(x, y, Math.ceil(cw), Math.ceil(ch))
        }
      }
      // Selected units: coloured marks along both edges and outlined rows/columns.
      ids.forEach((id, i) => {
        if (!isSelected(selected, id)) return
        ctx.fillStyle = unitOrder.color(id)
        ctx.fillRect(LABEL_SPACE - 6, LABEL_SPACE + i * ch, 5, Math.max(2, ch))
        ctx.fillRect(LABEL_SPACE + i * cw, LABEL_SPACE - 6, Math.max(2, cw), 5)
        ctx.strokeStyle = '#fff'
        ctx.lineWidth = 1.5
        ctx.strokeRect(LABEL_SPACE + 0.5, LABEL_SPACE + i * ch + 0.5, mw - 1, Math.max(1, ch - 1))
        ctx.strokeRect(LABEL_SPACE + i * cw + 0.5, LABEL_SPACE + 0.5, Math.max(1, cw - 1), mh - 1)
      })
      ctx.fillStyle = '#444'
      ctx.font = '10px system-ui, sans-serif'
      const everyRow = Math.max(1, Math.ceil(12 / ch))
      const everyCol = Math.max(1, Math.ceil(12 / cw))
      ids.forEach((id, i) => {
        if (i % everyRow === 0) {
          ctx.textAlign = 'right'
          ctx.textBaseline = 'middle'
          ctx.fillText(String(id), LABEL_SPACE - 8, LABEL_SPACE + (i + 0.5) * ch)
        }
        if (i % everyCol === 0) {
          ctx.save()
          ctx.translate(LABEL_SPACE + (i + 0.5) * cw, LABEL_SPACE - 8)
          ctx.rotate(-Math.PI / 2)
          ctx.textAlign = 'left'
          ctx.textBaseline = 'middle'
          ctx.fillText(String(id), 0, 0)
          ctx.restore()
        }
      })
      drawColorBar(ctx, { left: LABEL_SPACE + mw + 14, top: LABEL_SPACE, width: 16, height: mh }, vmin, vmax, 'similarity')
    },
    [ids, data, selected, cw, ch, n, vmin, vmax, unitOrder],
  )
  const { canvasRef } = useCanvasDraw(draw, width, height, [draw])
  const downAt = useRef<{ x: number; y: number }>(undefined)

  const cellAt = (e: React.MouseEvent): [UnitId, UnitId] | undefined => {
    const r = e.currentTarget.getBoundingClientRect()
    const i = Math.floor((e.clientY - r.top - LABEL_SPACE) / ch)
    const j = Math.floor((e.clientX - r.left - LABEL_SPACE) / cw)
    const a = ids[i]
    const b = ids[j]
    return i >= 0 && j >= 0 && i < n && j < n && a !== undefined && b !== undefined ? [a, b] : undefined
  }

  return (
    <div className="time-plot">
      <canvas
        ref={canvasRef}
        className="interactive-canvas"
        onMouseDown={(e) => (downAt.current = { x: e.clientX, y: e.clientY })}
        onClick={(e) => {
          const pair = cellAt(e)
          if (!pair) return
          const [a, b] = pair
          const add = e.shiftKey || e.ctrlKey || e.metaKey
          const next = add ? [...selection.get(), a, b] : [a, b]
          selection.set(unitOrder.sort(new Map(next.map((u) => [unitKey(u), u])).values()))
        }}
        onMouseMove={(e) => {
          const pair = cellAt(e)
          const v = pair ? value(pair[0], pair[1]) : undefined
          setHover(pair ? `units ${pair[0]} / ${pair[1]}: ${v === undefined ? 'no value' : v.toFixed(3)}` : undefined)
        }}
        onMouseLeave={() => setHover(undefined)}
      />
      <HoverReadout text={hover} />
    </div>
  )
}

export const unitSimilarityMatrixView = defineView(decodeUnitSimilarityMatrix, UnitSimilarityMatrixView, { showsSelection: true })
