// UnitSimilarityMatrix: heat map of pairwise similarity; clicking a cell selects the pair.
import { useCallback, useMemo, useRef, useState } from 'react'
import { useCanvasDraw } from '../../draw/canvas'
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

/** White (0) to dark blue (1); similarity can be negative for some metrics, clamped at 0. */
function heatColor(v: number): string {
  const x = Math.max(0, Math.min(1, v))
  const r = Math.round(255 - 230 * x)
  const g = Math.round(255 - 170 * x)
  const b = Math.round(255 - 75 * x)
  return `rgb(${r},${g},${b})`
}

const LABEL_SPACE = 36

function UnitSimilarityMatrixView({ data, width, height }: ViewProps<UnitSimilarityMatrixData>) {
  const { unitOrder, selection } = useFigure()
  const selected = useSelection()
  const [hover, setHover] = useState<string>()
  const ids = useMemo(() => unitOrder.sort(data.unitIds), [data, unitOrder])
  const n = ids.length
  const side = Math.max(20, Math.min(width, height) - LABEL_SPACE - 8)
  const cell = side / Math.max(1, n)
  const value = (a: UnitId, b: UnitId): number | undefined =>
    data.similarity.get(`${unitKey(a)}|${unitKey(b)}`) ?? data.similarity.get(`${unitKey(b)}|${unitKey(a)}`)

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = value(ids[i] as UnitId, ids[j] as UnitId)
          ctx.fillStyle = v === undefined ? '#f4f4f4' : heatColor(v)
          ctx.fillRect(LABEL_SPACE + j * cell, LABEL_SPACE + i * cell, Math.ceil(cell), Math.ceil(cell))
        }
      }
      // Selected units: coloured marks along both edges and outlined rows/columns.
      ids.forEach((id, i) => {
        if (!isSelected(selected, id)) return
        ctx.fillStyle = unitOrder.color(id)
        ctx.fillRect(LABEL_SPACE - 6, LABEL_SPACE + i * cell, 5, Math.max(2, cell))
        ctx.fillRect(LABEL_SPACE + i * cell, LABEL_SPACE - 6, Math.max(2, cell), 5)
        ctx.strokeStyle = 'rgba(0,0,0,0.5)'
        ctx.lineWidth = 1
        ctx.strokeRect(LABEL_SPACE + 0.5, LABEL_SPACE + i * cell + 0.5, side - 1, Math.max(1, cell - 1))
        ctx.strokeRect(LABEL_SPACE + i * cell + 0.5, LABEL_SPACE + 0.5, Math.max(1, cell - 1), side - 1)
      })
      const every = Math.max(1, Math.ceil(12 / cell))
      ctx.fillStyle = '#444'
      ctx.font = '10px system-ui, sans-serif'
      ids.forEach((id, i) => {
        if (i % every !== 0) return
        ctx.textAlign = 'right'
        ctx.textBaseline = 'middle'
        ctx.fillText(String(id), LABEL_SPACE - 8, LABEL_SPACE + (i + 0.5) * cell)
        ctx.save()
        ctx.translate(LABEL_SPACE + (i + 0.5) * cell, LABEL_SPACE - 8)
        ctx.rotate(-Math.PI / 2)
        ctx.textAlign = 'left'
        ctx.fillText(String(id), 0, 0)
        ctx.restore()
      })
    },
    [ids, data, selected, cell, side, unitOrder],
  )
  const { canvasRef } = useCanvasDraw(draw, width, height, [draw])
  const downAt = useRef<{ x: number; y: number }>(undefined)

  const cellAt = (e: React.MouseEvent): [UnitId, UnitId] | undefined => {
    const r = e.currentTarget.getBoundingClientRect()
    const i = Math.floor((e.clientY - r.top - LABEL_SPACE) / cell)
    const j = Math.floor((e.clientX - r.left - LABEL_SPACE) / cell)
    const a = ids[i]
    const b = ids[j]
    return i >= 0 && j >= 0 && a !== undefined && b !== undefined ? [a, b] : undefined
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
          setHover(pair ? `units ${pair[0]} / ${pair[1]}: ${v === undefined ? 'n/a' : v.toFixed(3)}` : undefined)
        }}
        onMouseLeave={() => setHover(undefined)}
      />
      <HoverReadout text={hover} />
    </div>
  )
}

export const unitSimilarityMatrixView = defineView(decodeUnitSimilarityMatrix, UnitSimilarityMatrixView, { showsSelection: true })
