// UnitsTable data: columns with dtypes, one row of values per unit, optional similarity scores.
import type { UnitId } from '../../state/units'
import { list, optList, rec, str, unitId } from '../decode'

export interface UnitsTableColumn {
  key: string
  label: string
  dtype: string
}

export type CellValue = string | number | boolean | null

export interface UnitsTableData {
  columns: UnitsTableColumn[]
  rows: { unitId: UnitId; values: Record<string, CellValue> }[]
  /** similarity keyed by "unit1|unit2" */
  similarity: Map<string, number>
}

export function decodeUnitsTable(raw: Record<string, unknown>): UnitsTableData {
  const columns = optList(raw.columns, 'columns').map((x, i) => {
    const r = rec(x, `columns[${i}]`)
    const key = str(r.key, `columns[${i}].key`)
    return { key, label: typeof r.label === 'string' ? r.label : key, dtype: typeof r.dtype === 'string' ? r.dtype : 'str' }
  })
  const rows = list(raw.rows, 'rows').map((x, i) => {
    const r = rec(x, `rows[${i}]`)
    const values: Record<string, CellValue> = {}
    const v = r.values
    if (typeof v === 'object' && v !== null) {
      for (const [k, val] of Object.entries(v)) {
        values[k] = typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean' ? val : val === null ? null : JSON.stringify(val)
      }
    }
    return { unitId: unitId(r.unitId, `rows[${i}].unitId`), values }
  })
  const similarity = new Map<string, number>()
  for (const s of optList(raw.similarityScores, 'similarityScores')) {
    if (typeof s !== 'object' || s === null) continue
    const { unitId1, unitId2, similarity: value } = s as Record<string, unknown>
    if (typeof value === 'number') similarity.set(`${String(unitId1)}|${String(unitId2)}`, value)
  }
  return { columns, rows, similarity }
}

/** Sort key for a cell: numbers (also numeric strings, as upstream writes rounded floats as text) before text. */
export function compareCells(a: CellValue | undefined, b: CellValue | undefined): number {
  const na = toNumber(a)
  const nb = toNumber(b)
  if (na !== undefined && nb !== undefined) return na - nb
  if (na !== undefined) return -1
  if (nb !== undefined) return 1
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1
  if (b === undefined || b === null) return -1
  return String(a).localeCompare(String(b), undefined, { numeric: true })
}

function toNumber(v: CellValue | undefined): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

/** Numbers (including upstream's numeric strings such as "0.") shown with at most 4 significant digits. */
export function formatCell(v: CellValue | undefined, dtype: string): string {
  if (v === undefined || v === null) return ''
  if (dtype === 'float' || dtype === 'int') {
    const n = toNumber(v)
    if (n !== undefined && typeof v !== 'boolean') return Number.isInteger(n) ? String(n) : Number(n.toPrecision(4)).toString()
  }
  return String(v)
}
