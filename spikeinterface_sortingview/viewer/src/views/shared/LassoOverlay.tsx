// A transparent layer over a plot that records a lasso (press, drag around spikes, release) while active.
import { useRef, useState } from 'react'
import { isUsablePolygon, type Point, simplifyPath } from './lasso'

export interface LassoOverlayProps {
  /** The plot area the lasso may be drawn in, in the view's CSS pixels */
  area: { left: number; top: number; width: number; height: number }
  /** Called with the closed polygon in the view's CSS pixels */
  onLasso: (screen: Point[]) => void
}

export function LassoOverlay({ area, onLasso }: LassoOverlayProps) {
  const [path, setPath] = useState<Point[]>([])
  const drawing = useRef(false)
  const toLocal = (e: React.PointerEvent<SVGSVGElement>): Point => {
    const r = e.currentTarget.getBoundingClientRect()
    return [e.clientX - r.left + area.left, e.clientY - r.top + area.top]
  }
  const points = path.map(([x, y]) => `${x - area.left},${y - area.top}`).join(' ')
  return (
    <svg
      className="lasso-overlay"
      data-testid="lasso-overlay"
      style={{ left: area.left, top: area.top, width: area.width, height: area.height }}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId)
        drawing.current = true
        setPath([toLocal(e)])
      }}
      onPointerMove={(e) => {
        if (!drawing.current) return
        const point = toLocal(e) // read now: React clears the event's currentTarget after the handler
        setPath((p) => [...p, point])
      }}
      onPointerUp={() => {
        drawing.current = false
        const polygon = simplifyPath(path)
        setPath([])
        if (isUsablePolygon(polygon)) onLasso(polygon)
      }}
    >
      {path.length > 1 && <polygon points={points} className="lasso-path" />}
    </svg>
  )
}
