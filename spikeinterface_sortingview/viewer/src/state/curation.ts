// The sortingview curation document and the actions that change it (see docs/curation.md).
import { type CuratedUnit, CurationRefusal, partKeys, type SplitRecord, type UnitLayout, unitLayout } from './curationUnits'
import { compareUnitIds, isUnitId, type UnitId, unitKey } from './units'

export { CurationRefusal, splitSelection, unitLayout, curatedUnits, type CuratedUnit, type SplitRecord } from './curationUnits'

export const DEFAULT_LABEL_CHOICES: readonly string[] = ['accept', 'reject', 'noise', 'artifact', 'mua']

export interface LabelDefinition {
  label_options: string[]
  exclusive: boolean
}

/** SpikeInterface's label categories: {name: {label_options, exclusive}} */
export type LabelDefinitions = Record<string, LabelDefinition>

export interface SortingCuration {
  labelsByUnit: Record<string, string[]>
  mergeGroups: UnitId[][]
  isClosed: boolean
  labelChoices?: string[]
  /** Present only when not empty, as the Python package writes it */
  labelDefinitions?: LabelDefinitions
  removedUnits?: UnitId[]
  splits?: SplitRecord[]
}

export type CurationAction =
  | { type: 'ADD_UNIT_LABEL'; unitId: UnitId | UnitId[]; label: string }
  | { type: 'REMOVE_UNIT_LABEL'; unitId: UnitId | UnitId[]; label: string }
  | { type: 'TOGGLE_UNIT_LABEL'; unitId: UnitId | UnitId[]; label: string }
  | { type: 'MERGE_UNITS'; unitIds: UnitId[] }
  | { type: 'UNMERGE_UNITS'; unitIds: UnitId[] }
  | { type: 'SPLIT_UNIT'; unitId: UnitId; indices: number[] }
  | { type: 'REMOVE_UNITS'; unitIds: UnitId[] }
  | { type: 'RESTORE_UNITS'; unitIds: UnitId[] }
  | { type: 'SET_CURATION'; curation: SortingCuration }
  | { type: 'CLOSE_CURATION' }
  | { type: 'REOPEN_CURATION' }
  | { type: 'SET_LABEL_CHOICES'; labelChoices: string[] }
  | { type: 'SET_LABEL_DEFINITIONS'; labelDefinitions: LabelDefinitions }
  | { type: 'UNDO' }
  | { type: 'REDO' }

/** An action that changes the curation (UNDO and REDO walk the history instead, see curationHistory.ts). */
export type EditAction = Exclude<CurationAction, { type: 'UNDO' } | { type: 'REDO' }>

// Typed action creators: what views dispatch through the figure's curation controller.
type ActionOf<T extends CurationAction['type']> = Extract<CurationAction, { type: T }>
export const toggleUnitLabel = (unitId: UnitId | UnitId[], label: string): ActionOf<'TOGGLE_UNIT_LABEL'> => ({ type: 'TOGGLE_UNIT_LABEL', unitId, label })
export const mergeUnits = (unitIds: UnitId[]): ActionOf<'MERGE_UNITS'> => ({ type: 'MERGE_UNITS', unitIds })
export const unmergeUnits = (unitIds: UnitId[]): ActionOf<'UNMERGE_UNITS'> => ({ type: 'UNMERGE_UNITS', unitIds })
/**
 * Splits the unit the page shows as `unitId` (an original unit, a merged unit "3+7", or a part "7.1") in two:
 * `indices` are sorted 0-based positions in that unit's whole spike train in time order (a merged unit's train is
 * the time-sorted union of its members'), naming the spikes of the first part ("7.1"); the others form the second
 * ("7.2"). A merged unit's parts are "(3+7).1" and "(3+7).2".
 */
export const splitUnit = (unitId: UnitId, indices: number[]): ActionOf<'SPLIT_UNIT'> => ({ type: 'SPLIT_UNIT', unitId, indices })
export const removeUnits = (unitIds: UnitId[]): ActionOf<'REMOVE_UNITS'> => ({ type: 'REMOVE_UNITS', unitIds })
export const restoreUnits = (unitIds: UnitId[]): ActionOf<'RESTORE_UNITS'> => ({ type: 'RESTORE_UNITS', unitIds })
export const undo = (): ActionOf<'UNDO'> => ({ type: 'UNDO' })
export const redo = (): ActionOf<'REDO'> => ({ type: 'REDO' })

export function emptyCuration(): SortingCuration {
  return { labelsByUnit: {}, mergeGroups: [], isClosed: false }
}

function asList(u: UnitId | UnitId[]): UnitId[] {
  return Array.isArray(u) ? u : [u]
}

function sortedUnique(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort()
}

/** Adds `label` to a unit's labels; in an exclusive category it replaces the category's other labels. */
function addLabel(c: SortingCuration, labels: readonly string[], label: string): string[] {
  let out = [...labels]
  for (const d of Object.values(c.labelDefinitions ?? {})) {
    if (d.exclusive && d.label_options.includes(label)) out = out.filter((l) => !d.label_options.includes(l))
  }
  return [...out, label]
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

/** A merge group's labels as SpikeInterface gives them to a merged unit: all, except exclusive ones not shared by all. */
export function mergedLabels(
  c: { labelsByUnit: Readonly<Record<string, readonly string[]>>; labelDefinitions?: LabelDefinitions },
  members: readonly UnitId[],
): string[] {
  const lists = members.map((m) => c.labelsByUnit[unitKey(m)] ?? [])
  let union = sortedUnique(lists.flat())
  for (const d of Object.values(c.labelDefinitions ?? {})) {
    if (!d.exclusive) continue
    const chosen = lists.map((l) => l.filter((x) => d.label_options.includes(x)).join('\u0000'))
    if (chosen.some((x) => x !== chosen[0])) union = union.filter((x) => !d.label_options.includes(x))
  }
  return union
}

/** The labels the page shows for a curated unit. */
export function unitLabels(c: SortingCuration, unit: CuratedUnit): string[] {
  return unit.kind === 'merged' ? mergedLabels(c, unit.members) : (c.labelsByUnit[unit.key] ?? [])
}

function mergeMembers(layout: UnitLayout, names: readonly UnitId[], kind: string, expand: boolean): UnitId[] {
  const out: UnitId[] = []
  for (const name of names) {
    const unit = layout.resolve(name, true)
    if (unit.kind === 'part') throw new CurationRefusal(`${kind}: unit ${unit.key} is a part of a split unit; undo the split to merge it`)
    if (layout.removed.has(unit.key)) throw new CurationRefusal(`${kind}: unit ${unit.key} is removed; restore it first`)
    if (expand) out.push(...unit.members)
    else out.push(name)
  }
  return out
}

function checkIndices(indices: unknown): number[] {
  if (!Array.isArray(indices) || indices.length === 0) throw new CurationRefusal('SPLIT_UNIT needs a non-empty list of spike indices')
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]
    if (!Number.isInteger(v) || v < 0) throw new CurationRefusal(`SPLIT_UNIT: index ${String(v)} is not an int >= 0`)
    if (i > 0 && v <= indices[i - 1]) throw new CurationRefusal('SPLIT_UNIT: indices must be sorted without repeats')
  }
  return indices as number[]
}

/**
 * The curation after an edit; throws CurationRefusal (with the reason) when the action does not apply: a closed
 * curation, a unit that was split away or removed, indices that do not fit. Mirrors the Python apply_action.
 */
export function applyCurationAction(c: SortingCuration, action: EditAction): SortingCuration {
  if (c.isClosed && action.type !== 'REOPEN_CURATION' && action.type !== 'CLOSE_CURATION' && action.type !== 'SET_CURATION') {
    throw new CurationRefusal(`the curation is closed; reopen it before ${action.type}`)
  }
  switch (action.type) {
    case 'ADD_UNIT_LABEL':
      return withLabels(c, asList(action.unitId), (labels) => addLabel(c, labels, action.label))
    case 'REMOVE_UNIT_LABEL':
      return withLabels(c, asList(action.unitId), (labels) => labels.filter((l) => l !== action.label))
    case 'TOGGLE_UNIT_LABEL': {
      // With several units: remove the label if all of them have it, otherwise give it to all.
      const ids = asList(action.unitId)
      const allHave = ids.every((id) => (c.labelsByUnit[unitKey(id)] ?? []).includes(action.label))
      return withLabels(c, ids, (labels) => (allHave ? labels.filter((l) => l !== action.label) : addLabel(c, labels, action.label)))
    }
    case 'MERGE_UNITS': {
      if (new Set(action.unitIds.map(unitKey)).size < 2) throw new CurationRefusal('MERGE_UNITS needs at least two different units')
      const members = mergeMembers(unitLayout(c), action.unitIds, action.type, true)
      return { ...c, mergeGroups: simplifyMergeGroups([...c.mergeGroups, members]) }
    }
    case 'UNMERGE_UNITS': {
      mergeMembers(unitLayout(c), action.unitIds, action.type, false)
      const remove = new Set(action.unitIds.map(unitKey))
      return { ...c, mergeGroups: simplifyMergeGroups(c.mergeGroups.map((g) => g.filter((u) => !remove.has(unitKey(u))))) }
    }
    case 'SPLIT_UNIT': {
      const indices = checkIndices(action.indices)
      const layout = unitLayout(c)
      const unit = layout.resolve(action.unitId)
      if (layout.removed.has(unit.key)) throw new CurationRefusal(`SPLIT_UNIT: unit ${unit.key} is removed; restore it first`)
      layout.addSplit({ unitId: unit.name, indices })
      const labels = unitLabels(c, unit)
      const labelsByUnit = { ...c.labelsByUnit }
      // A part starts with the labels of the unit it came from.
      if (labels.length > 0) for (const k of partKeys(unit)) labelsByUnit[k] = [...labels]
      return { ...c, labelsByUnit, splits: [...(c.splits ?? []), { unitId: unit.name, indices: [...indices] }] }
    }
    case 'REMOVE_UNITS':
    case 'RESTORE_UNITS': {
      const layout = unitLayout(c)
      const names = new Map((c.removedUnits ?? []).map((u) => [unitKey(u), u]))
      for (const name of action.unitIds) {
        const unit = layout.resolve(name, true)
        if (action.type === 'REMOVE_UNITS') names.set(unit.key, unit.name)
        else if (!names.delete(unit.key)) throw new CurationRefusal(`RESTORE_UNITS: unit ${unit.key} is not removed`)
      }
      return withRemoved(c, [...names.values()])
    }
    case 'SET_CURATION':
      return normalizeCuration(action.curation)
    case 'CLOSE_CURATION':
      return { ...c, isClosed: true }
    case 'REOPEN_CURATION':
      return { ...c, isClosed: false }
    case 'SET_LABEL_CHOICES':
      return { ...c, labelChoices: [...new Set(action.labelChoices)] }
    case 'SET_LABEL_DEFINITIONS':
      return withDefinitions(c, action.labelDefinitions)
  }
}

function withRemoved(c: SortingCuration, removed: UnitId[]): SortingCuration {
  const out = { ...c }
  if (removed.length > 0) out.removedUnits = removed.sort(compareUnitIds)
  else delete out.removedUnits
  return out
}

function withDefinitions(c: SortingCuration, d: LabelDefinitions): SortingCuration {
  const out = { ...c }
  if (Object.keys(d).length > 0) out.labelDefinitions = d
  else delete out.labelDefinitions
  return out
}

/** Why `action` cannot apply to `c`, or undefined when it can. */
export function curationActionError(c: SortingCuration, action: EditAction): string | undefined {
  try {
    applyCurationAction(c, action)
    return undefined
  } catch (err) {
    if (err instanceof CurationRefusal) return err.message
    throw err
  }
}

/** The curation after an edit, or `c` itself when the action does not apply (see curationActionError). */
export function curationReducer(c: SortingCuration, action: EditAction): SortingCuration {
  try {
    return applyCurationAction(c, action)
  } catch (err) {
    if (err instanceof CurationRefusal) return c
    throw err
  }
}

/** Brings any stored curation to canonical form (sorted unique labels, simplified merges, splits checked). */
export function normalizeCuration(c: SortingCuration): SortingCuration {
  const labelsByUnit: Record<string, string[]> = {}
  for (const [k, labels] of Object.entries(c.labelsByUnit)) {
    const l = sortedUnique(labels)
    if (l.length > 0) labelsByUnit[k] = l
  }
  let out: SortingCuration = { labelsByUnit, mergeGroups: simplifyMergeGroups(c.mergeGroups), isClosed: c.isClosed }
  if (c.labelChoices) out.labelChoices = [...c.labelChoices]
  if (c.labelDefinitions && Object.keys(c.labelDefinitions).length > 0) out.labelDefinitions = c.labelDefinitions
  if (c.splits && c.splits.length > 0) out.splits = c.splits.map((s) => ({ unitId: s.unitId, indices: [...s.indices] }))
  const layout = unitLayout({ mergeGroups: out.mergeGroups, splits: out.splits })
  const removed = new Map<string, UnitId>()
  for (const r of c.removedUnits ?? []) {
    const unit = layout.resolve(r, true)
    removed.set(unit.key, unit.name)
  }
  out = withRemoved(out, [...removed.values()])
  return out
}

function parseDefinitions(x: unknown): LabelDefinitions {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('labelDefinitions must be an object')
  const out: LabelDefinitions = {}
  const owner = new Map<string, string>()
  for (const [name, d] of Object.entries(x as Record<string, unknown>)) {
    const r = d as Record<string, unknown> | null
    const options = r?.label_options
    if (!Array.isArray(options) || options.length < 2 || !options.every((o) => typeof o === 'string')) {
      throw new Error(`labelDefinitions[${name}].label_options must list at least two labels`)
    }
    for (const o of options as string[]) {
      if (owner.has(o)) throw new Error(`label ${o} is in two categories, ${owner.get(o)} and ${name}`)
      owner.set(o, name)
    }
    out[name] = { label_options: [...new Set(options as string[])], exclusive: r?.exclusive === true }
  }
  return out
}

/** Validates untrusted JSON (URL state, a saved file, a journal's answer) as a curation; throws a readable error. */
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
  if (r.labelDefinitions !== undefined) c.labelDefinitions = parseDefinitions(r.labelDefinitions)
  if (r.splits !== undefined) {
    if (!Array.isArray(r.splits)) throw new Error('splits must be a list of {unitId, indices}')
    c.splits = r.splits.map((s: unknown, i: number) => {
      const rec = s as Record<string, unknown> | null
      if (!rec || !isUnitId(rec.unitId)) throw new Error(`splits[${i}] must be {unitId, indices}`)
      try {
        return { unitId: rec.unitId, indices: checkIndices(rec.indices) }
      } catch (err) {
        throw new Error(`splits[${i}]: ${err instanceof Error ? err.message : String(err)}`)
      }
    })
  }
  if (r.removedUnits !== undefined) {
    if (!Array.isArray(r.removedUnits) || !r.removedUnits.every(isUnitId)) throw new Error('removedUnits must be a list of unit ids')
    c.removedUnits = r.removedUnits as UnitId[]
  }
  return normalizeCuration(c)
}

/** The sortingview JSON the page downloads: every field, with the panel's label choices. */
export function curationForExport(c: SortingCuration, labelChoices: readonly string[]): SortingCuration {
  return { ...c, labelChoices: [...labelChoices] }
}

export function mergeGroupOf(c: { mergeGroups: readonly (readonly UnitId[])[] }, id: UnitId): readonly UnitId[] | undefined {
  const k = unitKey(id)
  return c.mergeGroups.find((g) => g.some((u) => unitKey(u) === k))
}
