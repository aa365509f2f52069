// A scrolling grid of small per-unit canvases; each cell draws only once it scrolls into view, and a grid of many
// cells has only the rows near the view in the DOM.
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { setupCanvas } from '../../draw/canvas'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { perfListening, recordFrame } from './framePerf'
import { CELL_BORDERS, GRID_GAP, type RowWindow, rowWindow, VIRTUAL_MIN_ITEMS } from './gridWindow'
import { useGroupClick } from './useUnitClick'

export interface GridItem {
  key: string
  /** The unit a cell shows (its colour swatch and click target) */
  unitId?: UnitId
  /** A merged unit's members: the cell is selected with any of them and a click applies to all */
  unitIds?: readonly UnitId[]
  title: string
  /** Tooltip of the title (e.g. how a merged unit's plot was made) */
  titleHint?: string
  /** Where the cell's data comes from or why it is missing (figure, runner, loading, ...), as data-state */
  state?: string
}

export type DrawCell<I extends GridItem> = (ctx: CanvasRenderingContext2D, width: number, height: number, item: I) => void

interface Props<I extends GridItem> {
  items: readonly I[]
  cellWidth: number
  cellHeight: number
  draw: DrawCell<I>
  /** Changing this redraws every visible cell (e.g. a scale control) */
  drawVersion?: string
  height: number
}

export function PlotGrid<I extends GridItem>({ items, cellWidth, cellHeight, draw, drawVersion = '', height }: Props<I>) {
  const scrollRef = useRef<HTMLDivElement | null>(null)
  const selected = useSelection()
  const onGroupClick = useGroupClick()
  const stable = useStableItems(items)
  const win = useRowWindow(scrollRef, stable.length > VIRTUAL_MIN_ITEMS, stable.length, cellWidth, cellHeight)
  const shown = win ? stable.slice(win.start, win.end) : stable
  // A windowed grid keeps its scroll bar from the start: the width measured for the columns is then the one the
  // cells wrap in (a scroll bar appearing later would take a column away without a resize to say so).
  return (
    <div className="plot-grid" ref={scrollRef} style={win ? { height, overflowY: 'scroll' } : { height }} data-cells={stable.length}>
      {win && win.above > 0 && <RowSpacer height={win.above} />}
      {shown.map((item) => (
        <GridCell
          key={item.key}
          item={item}
          width={cellWidth}
          height={cellHeight}
          draw={draw}
          drawVersion={drawVersion}
          selected={cellUnits(item).some((id) => isSelected(selected, id))}
          onGroupClick={onGroupClick}
          root={scrollRef}
        />
      ))}
      {win && win.below > 0 && <RowSpacer height={win.below} />}
    </div>
  )
}

/** Stands in for rows not rendered, so that the scroll height is the whole grid's: a line of its own, its gap included. */
function RowSpacer({ height }: { height: number }) {
  return <div className="plot-grid-spacer" style={{ flex: '0 0 100%', height: height - GRID_GAP }} aria-hidden="true" />
}

function useRowWindow(
  ref: React.RefObject<HTMLDivElement | null>,
  enabled: boolean,
  count: number,
  cellWidth: number,
  cellHeight: number,
): RowWindow | undefined {
  const [viewport, setViewport] = useState<{ width: number; height: number; scrollTop: number } | undefined>(undefined)
  useLayoutEffect(() => {
    const el = ref.current
    if (!enabled || !el) return
    // Scrolling re-renders only when the first row in view changes, not on every pixel.
    const pitch = cellHeight + CELL_BORDERS + GRID_GAP
    const update = (): void => {
      // The width unrounded (clientWidth is rounded, and cells that fit exactly may not fit in the real width).
      const width = el.getBoundingClientRect().width - (el.offsetWidth - el.clientWidth)
      const next = { width, height: el.clientHeight, scrollTop: el.scrollTop }
      setViewport((v) =>
        v && v.width === next.width && v.height === next.height && Math.floor(v.scrollTop / pitch) === Math.floor(next.scrollTop / pitch) ? v : next,
      )
    }
    update()
    const ro = new ResizeObserver(update)
    ro.observe(el)
    el.addEventListener('scroll', update, { passive: true })
    return () => {
      ro.disconnect()
      el.removeEventListener('scroll', update)
    }
  }, [ref, enabled, cellHeight])
  return useMemo(() => {
    if (!enabled) return undefined
    // Before the first measure (the layout effect runs before the first paint): the first rows only.
    return rowWindow(count, cellWidth, cellHeight, viewport ?? { width: cellWidth, height: 0, scrollTop: 0 })
  }, [enabled, count, cellWidth, cellHeight, viewport])
}

/** Whether two items have the same fields with the same values (objects compared by identity). */
export function sameItem(a: object, b: object): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  return ka.every((k) => k in rb && Object.is(ra[k], rb[k]))
}

/**
 * `items` with each item that equals (field by field) the one of its key at the last render replaced by that one,
 * so that the cells whose items did not change neither render nor redraw: a merge of two units recomputes a
 * view's items, and without this every visible cell of a 300-unit grid would redraw.
 */
function useStableItems<I extends GridItem>(items: readonly I[]): readonly I[] {
  const last = useRef(new Map<string, I>())
  return useMemo(() => {
    const previous = last.current
    const out = items.map((item) => {
      const before = previous.get(item.key)
      return before !== undefined && sameItem(before, item) ? before : item
    })
    last.current = new Map(out.map((item) => [item.key, item]))
    return out
  }, [items])
}

function cellUnits(item: GridItem): readonly UnitId[] {
  return item.unitIds ?? (item.unitId !== undefined ? [item.unitId] : [])
}

interface CellProps<I extends GridItem> {
  item: I
  width: number
  height: number
  draw: DrawCell<I>
  drawVersion: string
  selected: boolean
  onGroupClick: (ids: readonly UnitId[], e: React.MouseEvent) => void
  root: React.RefObject<HTMLDivElement | null>
}

const TITLE_HEIGHT = 18

function GridCellInner<I extends GridItem>({ item, width, height, draw, drawVersion, selected, onGroupClick, root }: CellProps<I>) {
  const cellRef = useRef<HTMLDivElement | null>(null)
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const [visible, setVisible] = useState(false)
  const { unitOrder } = useFigure()

  // Off-screen cells stay blank until they approach the viewport: 300 units render fast.
  useEffect(() => {
    const el = cellRef.current
    if (!el) return
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), {
      root: root.current,
      rootMargin: '200px',
    })
    io.observe(el)
    return () => io.disconnect()
  }, [root])

  const plotHeight = height - TITLE_HEIGHT
  useEffect(() => {
    const canvas = canvasRef.current
    if (!visible || !canvas) return
    const frame = requestAnimationFrame(() => {
      const ctx = setupCanvas(canvas, width, plotHeight)
      const t0 = performance.now()
      if (ctx) draw(ctx, width, plotHeight, item)
      if (perfListening()) recordFrame(`${canvas.closest('[data-view-type]')?.getAttribute('data-view-type') ?? 'PlotGrid'} ${item.key}`, performance.now() - t0)
    })
    return () => cancelAnimationFrame(frame)
  }, [visible, width, plotHeight, draw, drawVersion, item])

  return (
    <div
      ref={cellRef}
      className={'plot-grid-cell' + (selected ? ' selected' : '')}
      style={{ width, height }}
      data-unit-id={item.unitIds && item.unitIds.length > 1 ? item.unitIds.map(String).join('+') : item.unitId !== undefined ? String(item.unitId) : undefined}
      data-state={item.state}
      onClick={(e) => {
        const ids = cellUnits(item)
        if (ids.length > 0) onGroupClick(ids, e)
      }}
    >
      <div className="plot-grid-title" style={{ height: TITLE_HEIGHT }} title={item.titleHint}>
        {item.unitId !== undefined && <span className="unit-swatch" style={{ background: unitOrder.color(item.unitId) }} />}
        {item.title}
      </div>
      <canvas ref={canvasRef} />
    </div>
  )
}

const GridCell = memo(GridCellInner) as typeof GridCellInner

/** Picks a cell size that fills the width with whole columns near the preferred size. */
export function gridCellSize(viewWidth: number, preferredWidth: number, aspect: number): { width: number; height: number } {
  const usable = Math.max(100, viewWidth - 16)
  const cols = Math.max(1, Math.round(usable / preferredWidth))
  // cols cells of width + 2 px border, with 6 px gaps between them, fit in the usable width with one px spare
  // (the view's width is rounded: a row that fits exactly may not fit the real width, and loses a column).
  const width = Math.floor((usable + 6 - 1) / cols) - 8
  return { width, height: Math.round(width * aspect) }
}

/**
 * Few cells share the panel: the column count that gives the largest cells (no wider than tall x 2,
 * no smaller than the scrolling grid's), so a handful of plots fill the view instead of a corner of it.
 */
export function fillingCellSize(width: number, height: number, count: number, preferredWidth = 240, aspect = 0.6): { width: number; height: number } {
  const small = gridCellSize(width, preferredWidth, aspect)
  let best = small
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols)
    // .plot-grid: 8 px padding, 6 px gaps; cells have a 1 px border; one px spare against rounding.
    const w = Math.floor((width - 16 - (cols - 1) * 6) / cols) - 3
    const h = Math.min(Math.floor((height - 16 - (rows - 1) * 6) / rows) - 3, Math.round(w * 0.75))
    if (w >= small.width && h >= small.height && w * h > best.width * best.height && w <= 2.2 * h) best = { width: w, height: h }
  }
  return best
}
