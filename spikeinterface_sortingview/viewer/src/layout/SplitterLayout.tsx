// Splitter: two panes with a draggable divider.
import { useRef, useState } from 'react'
import { LayoutView, type LayoutProps } from './LayoutView'
import type { ItemProperties, SplitterNode } from './types'
import { useElementSize } from './useElementSize'

const GUTTER = 6

/** Initial share of the first pane from the items' stretch factors (equal by default); sizes clamp it later. */
function initialFraction(p1: ItemProperties, p2: ItemProperties): number {
  const s1 = p1.stretch ?? 1
  const s2 = p2.stretch ?? 1
  return s1 + s2 > 0 ? s1 / (s1 + s2) : 0.5
}

/** The first pane's initial size: its stretch share of `total`, within both items' min/max sizes. */
export function initialSplit(total: number, p1: ItemProperties, p2: ItemProperties): number {
  return clampSplit(initialFraction(p1, p2) * total, total, p1, p2)
}

/** The first pane's size in pixels, kept within both items' min/max sizes. */
export function clampSplit(size1: number, total: number, p1: ItemProperties, p2: ItemProperties): number {
  let s = size1
  if (p1.maxSize !== undefined) s = Math.min(s, p1.maxSize)
  if (p2.minSize !== undefined) s = Math.min(s, total - p2.minSize)
  if (p2.maxSize !== undefined) s = Math.max(s, total - p2.maxSize)
  if (p1.minSize !== undefined) s = Math.max(s, p1.minSize)
  return Math.max(20, Math.min(total - 20, s))
}

export function SplitterLayout({ node, views }: LayoutProps<SplitterNode>) {
  const horizontal = node.direction === 'horizontal'
  const [ref, size] = useElementSize<HTMLDivElement>()
  const p1 = node.itemProperties[0] ?? {}
  const p2 = node.itemProperties[1] ?? {}
  const [fraction, setFraction] = useState(() => initialFraction(p1, p2))
  const drag = useRef<{ start: number; startSize: number }>(undefined)
  const total = Math.max(0, (horizontal ? size.width : size.height) - GUTTER)
  const size1 = total > 0 ? clampSplit(fraction * total, total, p1, p2) : 0
  const [item1, item2] = node.items

  return (
    <div ref={ref} className={`layout-splitter ${horizontal ? 'horizontal' : 'vertical'}`} data-layout="Splitter">
      {total > 0 && item1 && item2 && (
        <>
          <div className="splitter-pane" style={horizontal ? { width: size1 } : { height: size1 }}>
            <LayoutView node={item1} views={views} />
          </div>
          <div
            className="splitter-gutter"
            data-testid="splitter-gutter"
            role="separator"
            aria-orientation={horizontal ? 'vertical' : 'horizontal'}
            onPointerDown={(e) => {
              drag.current = { start: horizontal ? e.clientX : e.clientY, startSize: size1 }
              e.currentTarget.setPointerCapture(e.pointerId)
            }}
            onPointerMove={(e) => {
              const d = drag.current
              if (!d) return
              const next = clampSplit(d.startSize + (horizontal ? e.clientX : e.clientY) - d.start, total, p1, p2)
              setFraction(next / total)
            }}
            onPointerUp={() => (drag.current = undefined)}
          />
          <div className="splitter-pane" style={horizontal ? { width: total - size1 } : { height: total - size1 }}>
            <LayoutView node={item2} views={views} />
          </div>
        </>
      )}
    </div>
  )
}
