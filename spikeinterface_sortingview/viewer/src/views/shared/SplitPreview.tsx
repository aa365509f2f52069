// The split controls of a view (lasso button, hints) and the preview of both parts with Confirm / Cancel.
import { useCallback } from 'react'
import { computeErrorText } from '../../compute/computeClient'
import { useCanvasDraw } from '../../draw/canvas'
import type { NdArray } from '../../protocol/ndarray'
import type { SplitPreviewData } from './splitRequest'
import type { SplitState } from './useSplit'
import './splits.css'

export const PART_COLORS = ['#e07000', '#1f5fbf'] as const

export function SplitControls({ split }: { split: SplitState }) {
  if (!split.available) return null
  const hint = !split.target
    ? 'select one unit to split it'
    : split.lassoActive
      ? `draw around the spikes of one part of ${split.target.key}`
      : undefined
  return (
    <div className="split-controls">
      <button
        data-testid="split-lasso"
        className={split.lassoActive ? 'active' : undefined}
        disabled={!split.target}
        title="Split the selected unit: draw a lasso around the spikes of one part"
        onClick={() => split.setLassoActive(!split.lassoActive)}
      >
        ✂ Split
      </button>
      {hint && <span className="split-hint">{hint}</span>}
      {split.done && !split.polygon && (
        <span className="split-hint" data-testid="split-done">
          split {String(split.done.unitId)}: {split.done.indices.length} spikes to a new unit
        </span>
      )}
    </div>
  )
}

export function SplitPreviewPanel({ split }: { split: SplitState }) {
  if (!split.polygon || !split.target) return null
  const p = split.preview
  return (
    <div className="split-preview" data-testid="split-preview">
      <h4>Split {split.target.key}</h4>
      {p.status === 'loading' && <div data-testid="split-loading">Computing both parts on the runner…</div>}
      {p.status === 'error' && <div className="split-error">{computeErrorText(p.error, `the split of ${split.target.key}`)}</div>}
      {p.status === 'ready' && <PartsPreview data={p.value} />}
      <div className="split-actions">
        <button onClick={split.cancel} data-testid="split-cancel">
          Cancel
        </button>
        <button
          className="confirm"
          data-testid="split-confirm"
          disabled={p.status !== 'ready' || p.value.numSpikes[0] === 0 || p.value.numSpikes[1] === 0}
          onClick={split.confirm}
        >
          Confirm split
        </button>
      </div>
    </div>
  )
}

function PartsPreview({ data }: { data: SplitPreviewData }) {
  const parts = [0, 1] as const
  return (
    <>
      <div className="split-parts">
        {parts.map((part) => (
          <div className="split-part" key={part} data-testid={`split-part-${part}`}>
            <div className="split-part-title" style={{ color: PART_COLORS[part] }}>
              {part === 0 ? 'Inside the lasso' : 'The rest'}: <span data-testid={`split-count-${part}`}>{data.numSpikes[part]}</span> spikes
            </div>
            <Bars counts={data.autocorrelograms.row(part)} color={PART_COLORS[part]} edges={data.binEdgesSec} />
            {data.templates && <Template values={data.templates.values} part={part} />}
          </div>
        ))}
      </div>
      {data.amplitudes && <AmplitudeScatter times={data.amplitudes.times} values={data.amplitudes.values} part={data.amplitudes.part} />}
    </>
  )
}

const CELL_W = 200

function Bars({ counts, color, edges }: { counts: ArrayLike<number>; color: string; edges: NdArray }) {
  const h = 64
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const max = Math.max(1, ...Array.from(counts))
      const w = CELL_W / counts.length
      ctx.fillStyle = color
      for (let i = 0; i < counts.length; i++) {
        const bh = ((counts[i] as number) / max) * (h - 14)
        ctx.fillRect(i * w, h - bh, Math.max(1, w - 0.5), bh)
      }
      ctx.fillStyle = '#666'
      ctx.font = '10px system-ui, sans-serif'
      const ms = (Number(edges.data[edges.data.length - 1]) * 1000).toFixed(0)
      ctx.fillText(`autocorrelogram ±${ms} ms`, 3, 10)
    },
    [counts, color, edges],
  )
  const { canvasRef } = useCanvasDraw(draw, CELL_W, h, [draw])
  return <canvas ref={canvasRef} />
}

function Template({ values, part }: { values: NdArray; part: 0 | 1 }) {
  const h = 90
  const [, channels, samples] = values.shape as [number, number, number]
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      let lo = Infinity
      let hi = -Infinity
      for (const v of values.data) if (Number.isFinite(v)) (lo = Math.min(lo, v), (hi = Math.max(hi, v)))
      if (!(hi > lo)) return
      const cw = CELL_W / channels
      // The other part in grey behind, so a difference between the two shows at a glance.
      for (const p of [1 - part, part]) {
        ctx.strokeStyle = p === part ? PART_COLORS[part] : '#c8c8c8'
        ctx.lineWidth = p === part ? 1.5 : 1
        for (let c = 0; c < channels; c++) {
          ctx.beginPath()
          for (let s = 0; s < samples; s++) {
            const v = values.data[(p * channels + c) * samples + s] as number
            const x = c * cw + 2 + (s / (samples - 1)) * (cw - 4)
            const y = 4 + ((hi - v) / (hi - lo)) * (h - 8)
            if (s === 0) ctx.moveTo(x, y)
            else ctx.lineTo(x, y)
          }
          ctx.stroke()
        }
      }
      ctx.fillStyle = '#666'
      ctx.font = '10px system-ui, sans-serif'
      ctx.fillText('template', 3, 10)
    },
    [values, part, channels, samples],
  )
  const { canvasRef } = useCanvasDraw(draw, CELL_W, h, [draw])
  return <canvas ref={canvasRef} data-testid="split-template" />
}

function AmplitudeScatter({ times, values, part }: { times: NdArray; values: NdArray; part: NdArray }) {
  const w = 2 * CELL_W + 12
  const h = 90
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      let t0 = Infinity
      let t1 = -Infinity
      let lo = Infinity
      let hi = -Infinity
      for (let i = 0; i < times.data.length; i++) {
        const t = times.data[i] as number
        const v = values.data[i] as number
        t0 = Math.min(t0, t)
        t1 = Math.max(t1, t)
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
      if (!(t1 > t0) || !(hi > lo)) return
      for (const p of [1, 0]) {
        ctx.fillStyle = PART_COLORS[p] as string
        for (let i = 0; i < times.data.length; i++) {
          if (part.data[i] !== p) continue
          const x = (((times.data[i] as number) - t0) / (t1 - t0)) * (w - 4) + 2
          const y = 14 + ((hi - (values.data[i] as number)) / (hi - lo)) * (h - 18)
          ctx.fillRect(x, y, 2, 2)
        }
      }
      ctx.fillStyle = '#666'
      ctx.font = '10px system-ui, sans-serif'
      ctx.fillText('amplitudes over time', 3, 10)
    },
    [times, values, part, w],
  )
  const { canvasRef } = useCanvasDraw(draw, w, h, [draw])
  return <canvas ref={canvasRef} data-testid="split-amplitudes" style={{ marginTop: 6 }} />
}
