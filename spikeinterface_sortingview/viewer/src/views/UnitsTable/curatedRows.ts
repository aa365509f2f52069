// The units table's rows as the curation shows the units: the parts of a split unit in its place ("7.1", "7.2",
// with their spike counts), a merged unit as one row ("3+7") followed by its members, removed units marked.
import { type LabelDefinitions, mergedLabels } from '../../state/curation'
import { curatedUnits, type SplitRecord, type SpikeSelection } from '../../state/curationUnits'
import { type UnitId, unitKey } from '../../state/units'
import type { CellValue, UnitsTableData } from './data'

/** SpikeInterface's spike count metric: the column that gives split parts and merged units their counts. */
export const SPIKE_COUNT_COLUMN = 'num_spikes'

export interface TableRow {
  /** Display id, as the curation names the unit: "7", "3+7", "7.1"; a member row: the member's id */
  key: string
  /** 'member': an original unit of the merged unit above it, shown for its metrics */
  kind: 'unit' | 'merged' | 'part' | 'member'
  /** What clicking the row selects: the unit, a merged unit's members, a part's display id */
  ids: readonly UnitId[]
  /** The original units the row's spikes come from */
  members: readonly UnitId[]
  labels: readonly string[]
  /** The figure's metric values: an original unit's own; a merged unit's and a part's are not computed */
  values: Readonly<Record<string, CellValue>>
  /** Spikes of the unit: a part's from the split's indices, a merged unit's its members' sum (when known) */
  numSpikes?: number
  removed: boolean
  /** A member row: the merged unit's key */
  group?: string
}

/** The parts of the curation the rows show (each a slice a view subscribes to on its own). */
export interface CurationParts {
  labelsByUnit: Readonly<Record<string, readonly string[]>>
  mergeGroups: readonly (readonly UnitId[])[]
  splits?: readonly SplitRecord[]
  removedUnits?: readonly UnitId[]
  labelDefinitions?: LabelDefinitions
}

const NO_LABELS: readonly string[] = []

/** How many spikes a selection of `total` spikes keeps (undefined when `total` is needed and not known). */
export function selectionCount(selection: SpikeSelection, total: number | undefined): number | undefined {
  if (selection.mode === 'take') return selection.positions.length
  if (total === undefined) return undefined
  return selection.mode === 'all' ? total : total - selection.positions.length
}

/**
 * The rows of the table for the figure's rows (in their order) and the curation. `countColumn` names the column
 * holding each unit's spike count, from which parts and merged units get theirs; without it, only the parts
 * listed by the split's indices have a count.
 */
export function curatedRows(figureRows: UnitsTableData['rows'], curation: CurationParts, countColumn?: string): TableRow[] {
  const byKey = new Map(figureRows.map((r) => [unitKey(r.unitId), r]))
  const countOf = (id: UnitId): number | undefined => {
    const v = countColumn === undefined ? undefined : byKey.get(unitKey(id))?.values[countColumn]
    return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined
  }
  const totalOf = (members: readonly UnitId[]): number | undefined => {
    let sum = 0
    for (const m of members) {
      const n = countOf(m)
      if (n === undefined) return undefined
      sum += n
    }
    return sum
  }
  const out: TableRow[] = []
  for (const unit of curatedUnits(curation, figureRows.map((r) => r.unitId))) {
    if (unit.kind === 'unit') {
      const id = unit.members[0] as UnitId
      const row = byKey.get(unit.key)
      out.push({
        key: unit.key,
        kind: 'unit',
        ids: [id],
        members: unit.members,
        labels: curation.labelsByUnit[unit.key] ?? NO_LABELS,
        values: row?.values ?? {},
        numSpikes: countOf(id),
        removed: unit.removed,
      })
      continue
    }
    const numSpikes = selectionCount(unit.selection, totalOf(unit.members))
    const values: Record<string, CellValue> = {}
    if (countColumn !== undefined && numSpikes !== undefined) values[countColumn] = numSpikes
    if (unit.kind === 'part') {
      out.push({ key: unit.key, kind: 'part', ids: [unit.key], members: unit.members, labels: curation.labelsByUnit[unit.key] ?? NO_LABELS, values, numSpikes, removed: unit.removed })
      continue
    }
    const labels = mergedLabels(curation, unit.members)
    out.push({ key: unit.key, kind: 'merged', ids: unit.members, members: unit.members, labels, values, numSpikes, removed: unit.removed })
    for (const m of unit.members) {
      const k = unitKey(m)
      const row = byKey.get(k)
      if (!row) continue
      out.push({
        key: k,
        kind: 'member',
        ids: [m],
        members: [m],
        labels: curation.labelsByUnit[k] ?? NO_LABELS,
        values: row.values,
        numSpikes: countOf(m),
        removed: unit.removed,
        group: unit.key,
      })
    }
  }
  return out
}

/** Whether two rows show the same thing, so that the table keeps the old row object (and does not render it). */
export function sameRow(a: TableRow, b: TableRow): boolean {
  const sameList = <T>(x: readonly T[], y: readonly T[]): boolean => x === y || (x.length === y.length && x.every((v, i) => v === y[i]))
  return (
    a.key === b.key &&
    a.kind === b.kind &&
    a.removed === b.removed &&
    a.numSpikes === b.numSpikes &&
    a.group === b.group &&
    sameValues(a.values, b.values) &&
    sameList(a.labels, b.labels) &&
    sameList(a.ids.map(unitKey), b.ids.map(unitKey))
  )
}

function sameValues(a: Readonly<Record<string, CellValue>>, b: Readonly<Record<string, CellValue>>): boolean {
  if (a === b) return true
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]))
}
