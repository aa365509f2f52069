// The sortingview curation document and the actions that change it (see docs/curation.md).
import { compareUnitIds, isUnitId, type UnitId, unitKey } from './units'

export const DEFAULT_LABEL_CHOICES: readonly string[] = ['accept', 'reject', 'noise', 'artifact', 'mua']

export interface SortingCuration {
  labelsByUnit: Record<string, string[]>
  mergeGroups: UnitId[][]
  isClosed: boolean
  labelChoices?: string[]
}

export type CurationAction =
  | { type: 'ADD_UNIT_LABEL'; unitId: UnitId | UnitId[]; label: string }
  | { type: 'REMOVE_UNIT_LABEL'; unitId: UnitId | UnitId[]; label: string }
  | { type: 'TOGGLE_UNIT_LABEL'; unitId: UnitId | UnitId[]; label: string }
  | { type: 'MERGE_UNITS'; unitIds: UnitId[] }
  | { type: 'UNMERGE_UNITS'; unitIds: UnitId[] }
  | { type: 'SET_CURATION'; curation: SortingCuration }
  | { type: 'CLOSE_CURATION' }
  | { type: 'REOPEN_CURATION' }

export function emptyCuration(): SortingCuration {
  return { labelsByUnit: {}, mergeGroups: [], isClosed: false }
}

function asList(u: UnitId | UnitId[]): UnitId[] {
  return Array.isArray(u) ? u : [u]
}

function sortedUnique(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort()
}

function withLabels(c: SortingCuration, unitIds: UnitId[], change: (labels: string[], key: string) => string[]): SortingCuration {
  const labelsByUnit = { ...c.labelsByUnit }
  for (const id of unitIds) {
    const key = unitKey(id)
    const next = sortedUnique(change(labelsByUnit[key] ?? [], key))
    if (next.length > 0) labelsByUnit[key] = next
    else delete labelsByUnit[key]
  }
  return { ...c, labelsByUnit }
}

/** Joins groups that share a unit (transitively), sorts each group, drops groups under two units. */
export function simplifyMergeGroups(groups: readonly (readonly UnitId[])[]): UnitId[][] {
  const merged: Map<string, UnitId>[] = []
  for (const g of groups) {
    let current = new Map(g.map((u) => [unitKey(u), u]))
    // Absorb every existing group that overlaps; repeat-free because absorbed groups are removed.
    for (let i = merged.length - 1; i >= 0; i--) {
      const other = merged[i]
      if (other && [...current.keys()].some((k) => other.has(k))) {
        current = new Map([...other, ...current])
        merged.splice(i, 1)
      }
    }
    merged.push(current)
  }
  return merged
    .map((m) => [...m.values()].sort(compareUnitIds))
    .filter((g) => g.length >= 2)
    .sort((a, b) => compareUnitIds(a[0] as UnitId, b[0] as UnitId))
}

export function curationReducer(c: SortingCuration, action: CurationAction): SortingCuration {
  if (c.isClosed && action.type !== 'REOPEN_CURATION' && action.type !== 'SET_CURATION') return c
  switch (action.type) {
    case 'ADD_UNIT_LABEL':
      return withLabels(c, asList(action.unitId), (labels) => [...labels, action.label])
    case 'REMOVE_UNIT_LABEL':
      return withLabels(c, asList(action.unitId), (labels) => labels.filter((l) => l !== action.label))
    case 'TOGGLE_UNIT_LABEL': {
      // With several units: remove the label if all of them have it, otherwise give it to all.
      const ids = asList(action.unitId)
      const allHave = ids.every((id) => (c.labelsByUnit[unitKey(id)] ?? []).includes(action.label))
      return withLabels(c, ids, (labels) => (allHave ? labels.filter((l) => l !== action.label) : [...labels, action.label]))
    }
    case 'MERGE_UNITS':
      if (action.unitIds.length < 2) return c
      return { ...c, mergeGroups: simplifyMergeGroups([...c.mergeGroups, action.unitIds]) }
    case 'UNMERGE_UNITS': {
      const remove = new Set(action.unitIds.map(unitKey))
      return { ...c, mergeGroups: simplifyMergeGroups(c.mergeGroups.map((g) => g.filter((u) => !remove.has(unitKey(u))))) }
    }
    case 'SET_CURATION':
      return normalizeCuration(action.curation)
    case 'CLOSE_CURATION':
      return { ...c, isClosed: true }
    case 'REOPEN_CURATION':
      return { ...c, isClosed: false }
  }
}

/** Brings any stored curation to canonical form (sorted unique labels, simplified merges). */
export function normalizeCuration(c: SortingCuration): SortingCuration {
  const labelsByUnit: Record<string, string[]> = {}
  for (const [k, labels] of Object.entries(c.labelsByUnit)) {
    const l = sortedUnique(labels)
    if (l.length > 0) labelsByUnit[k] = l
  }
  const out: SortingCuration = { labelsByUnit, mergeGroups: simplifyMergeGroups(c.mergeGroups), isClosed: c.isClosed }
  if (c.labelChoices) out.labelChoices = [...c.labelChoices]
  return out
}

/** Validates untrusted JSON (URL state, a saved file) as a curation; throws a readable error. */
export function parseCuration(x: unknown): SortingCuration {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('A curation must be a JSON object')
  const r = x as Record<string, unknown>
  const labelsByUnit: Record<string, string[]> = {}
  if (r.labelsByUnit !== undefined) {
    if (typeof r.labelsByUnit !== 'object' || r.labelsByUnit === null) throw new Error('labelsByUnit must be an object')
    for (const [k, v] of Object.entries(r.labelsByUnit)) {
      if (!Array.isArray(v) || !v.every((l) => typeof l === 'string')) throw new Error(`labelsByUnit[${k}] must be a list of strings`)
      labelsByUnit[k] = v as string[]
    }
  }
  const mergeGroups: UnitId[][] = []
  if (r.mergeGroups !== undefined) {
    if (!Array.isArray(r.mergeGroups)) throw new Error('mergeGroups must be a list')
    for (const g of r.mergeGroups) {
      if (!Array.isArray(g) || !g.every(isUnitId)) throw new Error('each merge group must be a list of unit ids')
      mergeGroups.push(g as UnitId[])
    }
  }
  const c: SortingCuration = { labelsByUnit, mergeGroups, isClosed: r.isClosed === true }
  if (Array.isArray(r.labelChoices) && r.labelChoices.every((l) => typeof l === 'string')) c.labelChoices = r.labelChoices as string[]
  return normalizeCuration(c)
}

/** The exported document: always carries all four fields so SpikeInterface can load it back. */
export function curationForExport(c: SortingCuration, labelChoices: readonly string[]): SortingCuration {
  return { labelsByUnit: c.labelsByUnit, mergeGroups: c.mergeGroups, isClosed: c.isClosed, labelChoices: [...labelChoices] }
}

export function mergeGroupOf(c: SortingCuration, id: UnitId): UnitId[] | undefined {
  const k = unitKey(id)
  return c.mergeGroups.find((g) => g.some((u) => unitKey(u) === k))
}
