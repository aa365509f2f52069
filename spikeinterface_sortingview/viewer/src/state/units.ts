// Unit ids, their canonical order, and the one colour per unit shared by every view.

export type UnitId = number | string

export function isUnitId(x: unknown): x is UnitId {
  return typeof x === 'number' || typeof x === 'string'
}

// One collator for every comparison: localeCompare with options builds one per call (35 ms to order 1,000 ids).
const numericCollator = new Intl.Collator(undefined, { numeric: true })

/** Numbers first (ascending), then strings in natural order ("u2" before "u10"). */
export function compareUnitIds(a: UnitId, b: UnitId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return numericCollator.compare(a, b)
}

// Qualitative palette readable on white, ordered so neighbouring units differ strongly.
export const UNIT_PALETTE: readonly string[] = [
  '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#17becf', '#8c564b', '#e377c2',
  '#bcbd22', '#393b79', '#e7298a', '#1b9e77', '#d95f02', '#7570b3', '#66a61e', '#a6761d',
  '#0b6e4f', '#b15928', '#6a3d9a', '#c51b7d', '#4d9221', '#2166ac', '#b2182b', '#525252',
]

/** The figure's units in canonical order; a unit's colour is the palette entry at its index. */
export class UnitOrder {
  readonly ids: readonly UnitId[]
  private readonly indexByKey: Map<string, number>

  constructor(ids: Iterable<UnitId>) {
    const byKey = new Map<string, UnitId>()
    for (const id of ids) byKey.set(unitKey(id), id)
    this.ids = [...byKey.values()].sort(compareUnitIds)
    this.indexByKey = new Map(this.ids.map((id, i) => [unitKey(id), i]))
  }

  index(id: UnitId): number {
    return this.indexByKey.get(unitKey(id)) ?? -1
  }

  color(id: UnitId): string {
    const i = this.index(id)
    return i < 0 ? '#888888' : (UNIT_PALETTE[i % UNIT_PALETTE.length] ?? '#888888')
  }

  /** Sorts ids into canonical order (unknown ids last). */
  sort(ids: Iterable<UnitId>): UnitId[] {
    return [...ids].sort((a, b) => {
      const ia = this.index(a)
      const ib = this.index(b)
      if (ia >= 0 && ib >= 0) return ia - ib
      if (ia >= 0) return -1
      if (ib >= 0) return 1
      return compareUnitIds(a, b)
    })
  }
}

/** Ids 1 and "1" never coexist in one sorting, so the string form is a safe map key. */
export function unitKey(id: UnitId): string {
  return String(id)
}

/** Collects unit ids from raw view data: every unitId/unitId1/unitId2/unitIds field. */
// A figure of 1,000 units holds tens of thousands of records: the walk allocates nothing per record (no
// Object.entries) and makes no call for a number or a string in a list.
export function collectUnitIds(value: unknown, out: Map<string, UnitId>): void {
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null) collectUnitIds(v, out)
    return
  }
  if (typeof value !== 'object' || value === null) return
  const rec = value as Record<string, unknown>
  if (rec._type === 'ndarray') return
  for (const k in rec) {
    if (!Object.prototype.hasOwnProperty.call(rec, k)) continue
    const v = rec[k]
    if ((k === 'unitId' || k === 'unitId1' || k === 'unitId2') && isUnitId(v)) out.set(unitKey(v), v)
    else if (k === 'unitIds' && Array.isArray(v)) {
      for (const u of v) if (isUnitId(u)) out.set(unitKey(u), u)
    } else if (typeof v === 'object' && v !== null) collectUnitIds(v, out)
  }
}
