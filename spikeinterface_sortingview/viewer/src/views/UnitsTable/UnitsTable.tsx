// UnitsTable: sortable table of units; click/shift/ctrl-click and arrow keys drive the shared selection.
import { Fragment, type KeyboardEvent, memo, type MouseEvent, type ReactNode, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useLabelDefinitions, useLabelsByUnit, useMergeGroups, useRemovedUnits, useSplits } from '../../figure/curationHooks'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected, moveSelection } from '../../state/selection'
import { partColor } from '../../state/splitParts'
import { compareUnitIds, type UnitId, unitKey } from '../../state/units'
import { useGroupClick } from '../shared/useUnitClick'
import { defineView, type ViewProps } from '../viewDefinition'
import { curatedRows, SPIKE_COUNT_COLUMN, sameRow, type TableRow } from './curatedRows'
import { type CellValue, compareCells, decodeUnitsTable, formatCell, type UnitsTableData } from './data'

type SortKey = { column: string; ascending: boolean }

const UNIT_COLUMN = '__unit'
const LABELS_COLUMN = '__labels'
const MERGE_COLUMN = '__merge'
const SIMILARITY_COLUMN = '__similarity'
const SPIKES_COLUMN = '__spikes'
const TOOLBAR_HEIGHT = 24
// Above this many rows only the rows in view (and OVERSCAN_ROWS on each side) are rendered: at 1,000 units a
// selection (which adds a similarity cell to every row) re-rendered 1,000 rows, 500 ms.
const VIRTUAL_MIN_ROWS = 150
const OVERSCAN_ROWS = 20
// A row's height before one is measured (12 px text, 2 px padding, 1 px border).
const DEFAULT_ROW_HEIGHT = 21
// The similarity column comes last, so that the other columns stay where they were when it appears.
const SIMILARITY_HINT = 'Template similarity to the selected unit; "below" marks pairs the figure did not keep (less alike than its threshold). Click to sort.'

/** A similarity cell: the value, "selected" on the reference's own row, or "below" for a pair the figure left out. */
function similarityCell(unit: UnitId, reference: UnitId, sim: number | undefined): ReactNode {
  if (unitKey(unit) === unitKey(reference)) return <td className="num muted" data-similarity="reference">selected</td>
  if (sim === undefined) {
    return (
      <td className="num muted" data-similarity="below" title="Not in the figure: less alike than its similarity threshold">
        below
      </td>
    )
  }
  return <td className="num" data-similarity={sim.toFixed(3)}>{sim.toFixed(3)}</td>
}

/** A row's selection state: every unit it stands for is selected. */
function rowSelected(selected: readonly UnitId[], row: TableRow): boolean {
  return row.ids.length > 0 && row.ids.every((id) => isSelected(selected, id))
}

function UnitsTableView({ data, height }: ViewProps<UnitsTableData>) {
  const { unitOrder, selection, hasCurationView } = useFigure()
  const selected = useSelection()
  const labelsByUnit = useLabelsByUnit()
  const mergeGroups = useMergeGroups()
  const splits = useSplits()
  const removedUnits = useRemovedUnits()
  const labelDefinitions = useLabelDefinitions()
  const onGroupClick = useGroupClick()
  const [sort, setSort] = useState<SortKey>({ column: UNIT_COLUMN, ascending: true })
  const [hideRemoved, setHideRemoved] = useState(false)
  const containerRef = useRef<HTMLDivElement | null>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [rowHeight, setRowHeight] = useState(DEFAULT_ROW_HEIGHT)

  const showCuration = hasCurationView || Object.keys(labelsByUnit).length > 0 || mergeGroups.length > 0
  const countColumn = data.columns.some((c) => c.key === SPIKE_COUNT_COLUMN) ? SPIKE_COUNT_COLUMN : undefined
  // Without the figure's spike counts, the parts' counts (from the split's indices) get a column of their own.
  const showSpikes = countColumn === undefined && splits.length > 0
  // With one unit selected, a similarity column ranks the others against it.
  const reference = selected.length === 1 && data.similarity.size > 0 ? selected[0] : undefined

  const canonical = useMemo(() => [...data.rows].sort((a, b) => compareUnitIds(a.unitId, b.unitId)), [data])
  const curated = useStableRows(
    useMemo(
      () => curatedRows(canonical, { labelsByUnit, mergeGroups, splits, removedUnits, labelDefinitions }, countColumn),
      [canonical, labelsByUnit, mergeGroups, splits, removedUnits, labelDefinitions, countColumn],
    ),
  )
  const numRemoved = useMemo(() => curated.filter((r) => r.removed && r.kind !== 'member').length, [curated])

  const rows = useMemo(() => {
    const sortValue = (row: TableRow, column: string): CellValue | undefined => {
      if (column === LABELS_COLUMN) return row.labels.join(', ') || null
      if (column === MERGE_COLUMN) return row.kind === 'merged' || row.group !== undefined ? (row.group ?? row.key) : null
      if (column === SPIKES_COLUMN) return row.numSpikes ?? null
      if (column === SIMILARITY_COLUMN) return reference === undefined || row.kind !== 'unit' ? null : (data.similarity.get(`${reference}|${row.key}`) ?? null)
      return row.values[column]
    }
    // Members follow their merged unit, whatever the order.
    const top = curated.map((row, position) => ({ row, position })).filter(({ row }) => row.kind !== 'member' && !(hideRemoved && row.removed))
    const membersOf = new Map<string, TableRow[]>()
    for (const row of curated) if (row.group !== undefined) membersOf.set(row.group, [...(membersOf.get(row.group) ?? []), row])
    top.sort((a, b) => {
      const c = sort.column === UNIT_COLUMN ? a.position - b.position : compareCells(sortValue(a.row, sort.column), sortValue(b.row, sort.column))
      return (sort.ascending ? c : -c) || a.position - b.position
    })
    return top.flatMap(({ row }) => [row, ...(membersOf.get(row.key) ?? [])])
  }, [curated, sort, reference, data, hideRemoved])

  const virtual = rows.length > VIRTUAL_MIN_ROWS
  const toolbarHeight = numRemoved > 0 ? TOOLBAR_HEIGHT : 0
  const viewHeight = height - toolbarHeight
  const first = virtual ? Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN_ROWS) : 0
  const last = virtual ? Math.min(rows.length, Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN_ROWS) : rows.length

  // Rows of a virtual table are taken to be equal in height: the mean of the rows rendered.
  useLayoutEffect(() => {
    if (!virtual) return
    const body = containerRef.current?.querySelector('tbody')
    const rendered = body?.querySelectorAll<HTMLElement>('tr[data-unit-id]')
    if (!rendered || rendered.length < 2) return
    const firstRow = rendered[0] as HTMLElement
    const lastRow = rendered[rendered.length - 1] as HTMLElement
    const measured = (lastRow.offsetTop + lastRow.offsetHeight - firstRow.offsetTop) / rendered.length
    if (measured > 0 && Math.abs(measured - rowHeight) > 0.25) setRowHeight(measured)
    // Measured when other rows are rendered, not on every selection (reading offsets forces a layout).
  }, [virtual, first, rows.length, showCuration, numRemoved, rowHeight])

  // Keep the (first) selected row in view when the selection changes from another view.
  useEffect(() => {
    const firstSelected = selected[0]
    const container = containerRef.current
    if (firstSelected === undefined || !container) return
    const key = unitKey(firstSelected)
    const index = rows.findIndex((r) => r.ids.length === 1 && unitKey(r.ids[0] as UnitId) === key)
    if (index < 0) return
    // Where the row is (or will be, when not rendered): rows sit at equal heights under the header.
    // Vertical only: scrollIntoView would also scroll a wide table sideways, hiding the unit column.
    const header = container.querySelector('thead')?.getBoundingClientRect().height ?? 0
    const row = container.querySelector(`tr[data-unit-id="${CSS.escape(key)}"]`)
    const top = row instanceof HTMLElement ? row.offsetTop - header : index * rowHeight
    const bottom = top + header + (row instanceof HTMLElement ? row.offsetHeight : rowHeight)
    if (top < container.scrollTop) container.scrollTop = top
    else if (bottom > container.scrollTop + container.clientHeight) container.scrollTop = bottom - container.clientHeight
    // Only a change of selection scrolls, not a re-sort or a new row height.
  }, [selected])

  const onHeaderClick = (column: string): void =>
    setSort((s) => (s.column === column ? { column, ascending: !s.ascending } : { column, ascending: true }))

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    e.preventDefault()
    // Arrows walk the rows that select one unit (a merged unit's members, not the merged row).
    const single = rows.filter((r) => r.ids.length === 1).map((r) => r.ids[0] as UnitId)
    selection.set(moveSelection(selection.get(), single, e.key === 'ArrowDown' ? 1 : -1))
  }

  const onRowClick = useCallback(
    (row: TableRow, e: MouseEvent): void => {
      if (e.shiftKey) window.getSelection()?.removeAllRanges() // shift-click should not select page text
      onGroupClick(row.ids, e)
      containerRef.current?.focus({ preventScroll: true })
    },
    [onGroupClick],
  )

  const header = (column: string, label: string, title?: string) => (
    <th key={column} onClick={() => onHeaderClick(column)} title={title ?? `Sort by ${label}`} aria-sort={sort.column === column ? (sort.ascending ? 'ascending' : 'descending') : 'none'}>
      {breakable(label)}
      <span className="sort-mark">{sort.column === column ? (sort.ascending ? ' ▲' : ' ▼') : ''}</span>
    </th>
  )
  const numColumns = 1 + (showCuration ? 2 : 0) + (showSpikes ? 1 : 0) + data.columns.length + (reference !== undefined ? 1 : 0)

  return (
    <div className="units-table-view" style={{ height }}>
      {numRemoved > 0 && (
        <div className="units-table-toolbar" style={{ height: toolbarHeight }}>
          <label title="Removed units are struck through; hide them from the table">
            <input type="checkbox" data-testid="hide-removed" checked={hideRemoved} onChange={(e) => setHideRemoved(e.target.checked)} /> hide removed
            units ({numRemoved})
          </label>
        </div>
      )}
      <div
        className="units-table-container"
        ref={containerRef}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={virtual ? (e) => setScrollTop(e.currentTarget.scrollTop) : undefined}
        style={{ height: viewHeight }}
        data-rows={rows.length}
        data-rendered-rows={last - first}
      >
        <table className="units-table" data-testid="units-table" aria-multiselectable="true">
          <thead>
            <tr>
              {header(UNIT_COLUMN, 'Unit')}
              {showCuration && header(LABELS_COLUMN, 'Labels')}
              {showCuration && header(MERGE_COLUMN, 'Merge group')}
              {showSpikes && header(SPIKES_COLUMN, 'spikes', "Spike counts of split units' parts, from the split's indices")}
              {data.columns.map((c) => header(c.key, c.label))}
              {reference !== undefined && header(SIMILARITY_COLUMN, `Similarity to ${reference}`, SIMILARITY_HINT)}
            </tr>
          </thead>
          <tbody>
            {first > 0 && <SpacerRow height={first * rowHeight} columns={numColumns} />}
            {rows.slice(first, last).map((row) => (
              <UnitRow
                key={`${row.kind}:${row.key}`}
                row={row}
                selected={rowSelected(selected, row)}
                color={row.kind === 'part' ? partColor(row.key, row.members[0] as UnitId, unitOrder) : unitOrder.color(row.members[0] as UnitId)}
                columns={data.columns}
                showCuration={showCuration}
                showSpikes={showSpikes}
                reference={reference}
                similarity={reference !== undefined && row.kind === 'unit' ? data.similarity.get(`${reference}|${row.key}`) : undefined}
                onClick={onRowClick}
              />
            ))}
            {last < rows.length && <SpacerRow height={(rows.length - last) * rowHeight} columns={numColumns} />}
          </tbody>
        </table>
      </div>
    </div>
  )
}

/** Stands for the rows of a virtual table that are not rendered, so that the scroll bar is the full table's. */
function SpacerRow({ height, columns }: { height: number; columns: number }) {
  return (
    <tr className="spacer-row" aria-hidden="true" style={{ height }}>
      <td colSpan={columns} />
    </tr>
  )
}

const KIND_HINT: Record<TableRow['kind'], string | undefined> = {
  unit: undefined,
  merged: 'Merged unit: its metrics are not computed (spikes: the sum of its members\')',
  part: "Part of a split unit: its metrics are not computed (spikes: from the split's indices)",
  member: 'A unit merged into the row above',
}

interface UnitRowProps {
  row: TableRow
  selected: boolean
  color: string
  columns: UnitsTableData['columns']
  showCuration: boolean
  showSpikes: boolean
  reference: UnitId | undefined
  similarity: number | undefined
  onClick: (row: TableRow, e: MouseEvent) => void
}

// One row, rendered again only when what it shows changes: a label at 300 units renders one row, not 300.
const UnitRow = memo(function UnitRow({ row, selected, color, columns, showCuration, showSpikes, reference, similarity, onClick }: UnitRowProps) {
  const classes = [selected ? 'selected' : '', row.removed ? 'removed' : '', row.kind !== 'unit' ? `row-${row.kind}` : ''].filter(Boolean).join(' ')
  const hint = [KIND_HINT[row.kind], row.removed ? 'removed from the curated sorting' : undefined].filter(Boolean).join('; ')
  return (
    <tr
      data-unit-id={row.key}
      data-kind={row.kind}
      data-removed={row.removed ? 'true' : undefined}
      aria-selected={selected ? 'true' : 'false'}
      className={classes}
      title={hint || undefined}
      onClick={(e) => onClick(row, e)}
    >
      <td className="unit-cell">
        <span className="unit-swatch" style={{ background: color }} />
        {row.kind === 'member' ? `↳ ${row.key}` : row.key}
      </td>
      {showCuration && (
        <td className="labels-cell">
          {row.labels.map((l) => (
            <span key={l} className={`label-chip label-${l}`}>
              {l}
            </span>
          ))}
        </td>
      )}
      {showCuration && <td className="merge-cell">{row.kind === 'merged' ? row.members.map(unitKey).join(', ') : row.group ? row.group.split('+').join(', ') : ''}</td>}
      {showSpikes && <td className="num spikes-cell">{row.numSpikes ?? ''}</td>}
      {columns.map((c) => (
        <td key={c.key} className={c.dtype === 'str' ? '' : 'num'}>
          {formatCell(row.values[c.key], c.dtype)}
        </td>
      ))}
      {reference !== undefined && (row.kind === 'unit' ? similarityCell(row.key, reference, similarity) : <td />)}
    </tr>
  )
})

/** `rows` with each row equal to the one of its key at the last render replaced by that one (see UnitRow). */
function useStableRows(rows: TableRow[]): TableRow[] {
  const last = useRef(new Map<string, TableRow>())
  return useMemo(() => {
    const previous = last.current
    const out = rows.map((row) => {
      const before = previous.get(`${row.kind}:${row.key}`)
      return before !== undefined && sameRow(before, row) ? before : row
    })
    last.current = new Map(out.map((row) => [`${row.kind}:${row.key}`, row]))
    return out
  }, [rows])
}

export const unitsTableView = defineView(decodeUnitsTable, UnitsTableView, { showsSelection: true })

/** A metric name that may wrap after its underscores (`amplitude_<wbr>median`), so long names do not widen columns. */
function breakable(label: string): ReactNode {
  const parts = label.split('_')
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          _<wbr />
        </>
      )}
    </Fragment>
  ))
}
