// Status lines above a view that asks the runner for part of what it shows: busy, fallbacks, errors.

export interface ComputeNote {
  kind: 'loading' | 'info' | 'error'
  text: string
}

export const NOTE_HEIGHT = 20

export function ComputeNotes({ notes }: { notes: readonly ComputeNote[] }) {
  if (notes.length === 0) return null
  return (
    <div className="compute-notes">
      {notes.map((n) => (
        <div
          key={n.kind + n.text}
          className={`compute-note compute-note-${n.kind}`}
          data-testid={n.kind === 'error' ? 'compute-error' : n.kind === 'loading' ? 'compute-loading' : 'compute-info'}
          role={n.kind === 'error' ? 'alert' : undefined}
          title={n.text}
        >
          {n.kind === 'loading' && <span className="spinner" aria-hidden="true" />}
          {n.text}
        </div>
      ))}
    </div>
  )
}

/** Text drawn in a plot cell whose data is not there (yet). */
export function drawCellMessage(ctx: CanvasRenderingContext2D, w: number, h: number, text: string): void {
  ctx.fillStyle = '#8a8f98'
  ctx.font = '11px system-ui, sans-serif'
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  ctx.fillText(text, w / 2, h / 2)
}
