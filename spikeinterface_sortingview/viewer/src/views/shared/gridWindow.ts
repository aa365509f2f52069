// Which cells of a scrolling grid of equal cells (PlotGrid) are near the view, so that only those are rendered.

// Above this many cells only the rows in view (and OVERSCAN_ROWS on each side) are in the DOM: a grid of 1,000
// units otherwise mounts 1,000 cells when it opens and compares them all on every selection.
export const VIRTUAL_MIN_ITEMS = 120
const OVERSCAN_ROWS = 2
// .plot-grid's padding and gap, and the cells' 1 px border on each side (styles.css).
export const GRID_PADDING = 8
export const GRID_GAP = 6
export const CELL_BORDERS = 2

export interface RowWindow {
  /** Items [start, end) are rendered */
  start: number
  end: number
  /** Height of the rows before and after them */
  above: number
  below: number
}

/** The cells of a wrapped grid to render: the rows in the scroll container's view, OVERSCAN_ROWS more on each side. */
export function rowWindow(
  count: number,
  cellWidth: number,
  cellHeight: number,
  viewport: { width: number; height: number; scrollTop: number },
): RowWindow {
  const cols = Math.max(1, Math.floor((viewport.width - 2 * GRID_PADDING + GRID_GAP) / (cellWidth + CELL_BORDERS + GRID_GAP)))
  const pitch = cellHeight + CELL_BORDERS + GRID_GAP
  const rows = Math.ceil(count / cols)
  const top = Math.floor(Math.max(0, viewport.scrollTop - GRID_PADDING) / pitch)
  const first = Math.max(0, Math.min(rows - 1, top) - OVERSCAN_ROWS)
  const last = Math.max(first, Math.min(rows - 1, top + Math.ceil(viewport.height / pitch) + OVERSCAN_ROWS))
  return { start: first * cols, end: Math.min(count, (last + 1) * cols), above: first * pitch, below: Math.max(0, rows - last - 1) * pitch }
}
