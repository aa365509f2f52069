// UnitsTable: sortable table of units; click/shift/ctrl-click and arrow keys drive the shared selection.
import { Fragment, type KeyboardEvent, type MouseEvent, type ReactNode, useEffect, useMemo, useRef, useState } from 'react'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { mergeGroupOf } from '../../state/curation'
import { isSelected, moveSelection } from '../../state/selection'
import { useStore } from '../../state/store'
import { compareUnitIds, type UnitId, unitKey } from '../../state/units'
import { useUnitClick } from '../shared/useUnitClick'
import { defineView, type ViewProps } from '../viewDefinition'
import { type CellValue, compareCells, decodeUnitsTable, formatCell, type UnitsTableData } from './data'

type SortKey = { column: string; ascending: boolean }

const UNIT_COLUMN = '__unit'
const LABELS_COLUMN = '__labels'
const MERGE_COLUMN = '__merge'
const SIMILARITY_COLUMN = '__similarity'
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

function UnitsTableView({ data, height }: ViewProps<UnitsTableData>) {
  const { unitOrder, selection, curation, hasCurationView } = useFigure()
  const selected = useSelection()
  const cur = useStore(curation.curation)
  const onUnitClick = useUnitClick()
  const [sort, setSort] = useState<SortKey>({ column: UNIT_COLUMN, ascending: true })
  const containerRef = useRef<HTMLDivElement | null>(null)

  const showCuration = hasCurationView || Object.keys(cur.labelsByUnit).length > 0 || cur.mergeGroups.length > 0
  // With one unit selected, a similarity column ranks the others against it.
  const reference = selected.length === 1 && data.similarity.size > 0 ? selected[0] : undefined

  const sortValue = (row: UnitsTableData['rows'][number], column: string): CellValue | undefined => {
    if (column === LABELS_COLUMN) return (cur.labelsByUnit[unitKey(row.unitId)] ?? []).join(', ') || null
    if (column === MERGE_COLUMN) return mergeGroupOf(cur, row.unitId)?.join(', ') ?? null
    if (column === SIMILARITY_COLUMN) return reference === undefined ? null : (data.similarity.get(`${reference}|${row.unitId}`) ?? null)
    return row.values[column]
  }

  const rows = useMemo(() => {
    const out = [...data.rows]
    out.sort((a, b) => {
      const c = sort.column === UNIT_COLUMN ? compareUnitIds(a.unitId, b.unitId) : compareCells(sortValue(a, sort.column), sortValue(b, sort.column))
      return (sort.ascending ? c : -c) || compareUnitIds(a.unitId, b.unitId)
    })
    return out
  }, [data, sort, cur, reference])

  // Keep the (first) selected row in view when the selection changes from another view.
  useEffect(() => {
    const first = selected[0]
    if (first === undefined) return
    const container = containerRef.current
    const row = container?.querySelector(`tr[data-unit-id="${CSS.escape(unitKey(first))}"]`)
    if (!container || !(row instanceof HTMLElement)) return
    // Vertical only: scrollIntoView would also scroll a wide table sideways, hiding the unit column.
    const header = container.querySelector('thead')?.getBoundingClientRect().height ?? 0
    const top = row.offsetTop - header
    const bottom = row.offsetTop + row.offsetHeight
    if (top < container.scrollTop) container.scrollTop = top
    else if (bottom > container.scrollTop + container.clientHeight) container.scrollTop = bottom - container.clientHeight
  }, [selected])

  const onHeaderClick = (column: string): void =>
    setSort((s) => (s.column === column ? { column, ascending: !s.ascending } : { column, ascending: true }))

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    e.preventDefault()
    selection.set(moveSelection(selection.get(), rows.map((r) => r.unitId), e.key === 'ArrowDown' ? 1 : -1))
  }

  const onRowClick = (id: UnitId, e: MouseEvent): void => {
    if (e.shiftKey) window.getSelection()?.removeAllRanges() // shift-click should not select page text
    onUnitClick(id, e)
    containerRef.current?.focus({ preventScroll: true })
  }

  const header = (column: string, label: string, title?: string) => (
    <th key={column} onClick={() => onHeaderClick(column)} title={title ?? `Sort by ${label}`} aria-sort={sort.column === column ? (sort.ascending ? 'ascending' : 'descending') : 'none'}>
      {breakable(label)}
      <span className="sort-mark">{sort.column === column ? (sort.ascending ? ' ▲' : ' ▼') : ''}</span>
    </th>
  )

  return (
    <div className="units-table-container" ref={containerRef} tabIndex={0} onKeyDown={onKeyDown} style={{ height }}>
      <table className="units-table" data-testid="units-table" aria-multiselectable="true">
        <thead>
          <tr>
            {header(UNIT_COLUMN, 'Unit')}
            {showCuration && header(LABELS_COLUMN, 'Labels')}
            {showCuration && header(MERGE_COLUMN, 'Merge group')}
            {data.columns.map((c) => header(c.key, c.label))}
            {reference !== undefined && header(SIMILARITY_COLUMN, `Similarity to ${reference}`, SIMILARITY_HINT)}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const sel = isSelected(selected, row.unitId)
            const labels = cur.labelsByUnit[unitKey(row.unitId)] ?? []
            const group = mergeGroupOf(cur, row.unitId)
            const sim = reference !== undefined ? data.similarity.get(`${reference}|${row.unitId}`) : undefined
            return (
              <tr key={unitKey(row.unitId)} data-unit-id={unitKey(row.unitId)} aria-selected={sel ? 'true' : 'false'} className={sel ? 'selected' : ''} onClick={(e) => onRowClick(row.unitId, e)}>
                <td className="unit-cell">
                  <span className="unit-swatch" style={{ background: unitOrder.color(row.unitId) }} />
                  {String(row.unitId)}
                </td>
                {showCuration && (
                  <td className="labels-cell">
                    {labels.map((l) => (
                      <span key={l} className={`label-chip label-${l}`}>
                        {l}
                      </span>
                    ))}
                  </td>
                )}
                {showCuration && <td className="merge-cell">{group ? group.join(', ') : ''}</td>}
                {data.columns.map((c) => (
                  <td key={c.key} className={c.dtype === 'str' ? '' : 'num'}>
                    {formatCell(row.values[c.key], c.dtype)}
                  </td>
                ))}
                {reference !== undefined && similarityCell(row.unitId, reference, sim)}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
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
