// Units as a curation shows them: original units, merge groups ("3+7") and the parts of split units ("7.1").
// A split is stored as the unit it split and the positions of one part's spikes in that unit's train in time
// order; each part is a selection of positions in its source's train (an original unit's, or a merge group's
// time-sorted union): the listed positions ('take') or all but the listed ones ('drop'). Mirrors the Python
// package's curation_units.py (docs/curation.md).
import { compareUnitIds, type UnitId, unitKey } from './units'

export interface SpikeSelection {
  mode: 'all' | 'take' | 'drop'
  positions: readonly number[]
}

export const ALL_SPIKES: SpikeSelection = { mode: 'all', positions: [] }

export interface CuratedUnit {
  /** Display id: "7", "3+7", "7.1", "(3+7).2" */
  key: string
  /** What the curation stores for it: the original id (typed) for an original unit, the key otherwise */
  name: UnitId
  /** Original units whose spikes it draws from, in canonical order */
  members: UnitId[]
  /** Which of the members' time-sorted spikes are its own */
  selection: SpikeSelection
  /** Key of the original unit or merge group whose train `selection` counts in */
  source: string
  kind: 'unit' | 'merged' | 'part'
}

export interface SplitRecord {
  unitId: UnitId
  indices: number[]
}

export class CurationRefusal extends Error {}

export function groupKey(members: readonly UnitId[]): string {
  return [...members].sort(compareUnitIds).map(unitKey).join('+')
}

/** Source positions of the `wanted` (sorted) positions among those not in `dropped` (sorted). */
function nthKept(dropped: readonly number[], wanted: readonly number[]): number[] {
  const out: number[] = []
  let j = 0
  for (const p of wanted) {
    let value = p + j
    while (j < dropped.length && (dropped[j] as number) <= value) {
      j++
      value = p + j
    }
    out.push(value)
  }
  return out
}

/** The two parts of a unit split by `indices` (sorted positions in the unit's own train). */
export function splitSelection(sel: SpikeSelection, indices: readonly number[], unit: string): [SpikeSelection, SpikeSelection] {
  if (sel.mode === 'all') return [{ mode: 'take', positions: [...indices] }, { mode: 'drop', positions: [...indices] }]
  if (sel.mode === 'take') {
    const listed = sel.positions
    const last = indices[indices.length - 1] as number
    if (last >= listed.length) throw new CurationRefusal(`unit ${unit} has ${listed.length} spikes, index ${last} is past them`)
    if (indices.length === listed.length) throw new CurationRefusal(`the indices name all ${listed.length} spikes of unit ${unit}; a split needs two parts`)
    const chosen = new Set(indices)
    return [
      { mode: 'take', positions: indices.map((i) => listed[i] as number) },
      { mode: 'take', positions: listed.filter((_, i) => !chosen.has(i)) },
    ]
  }
  const taken = nthKept(sel.positions, indices)
  const dropped = [...new Set([...sel.positions, ...taken])].sort((a, b) => a - b)
  return [
    { mode: 'take', positions: taken },
    { mode: 'drop', positions: dropped },
  ]
}

/** The display ids of the two parts of `unit`: "7.1"/"7.2", "(3+7).1"/"(3+7).2", "7.1.1"/"7.1.2". */
export function partKeys(unit: CuratedUnit): [string, string] {
  const base = unit.kind === 'merged' ? `(${unit.key})` : unit.key
  return [`${base}.1`, `${base}.2`]
}

export class UnitLayout {
  readonly groups = new Map<string, UnitId[]>()
  readonly groupOf = new Map<string, string>()
  readonly parts = new Map<string, CuratedUnit>()
  readonly splitAway = new Map<string, [string, string]>()
  readonly removed = new Set<string>()

  constructor(mergeGroups: readonly (readonly UnitId[])[]) {
    for (const g of mergeGroups) {
      const members = [...g].sort(compareUnitIds)
      const key = groupKey(members)
      this.groups.set(key, members)
      for (const m of members) this.groupOf.set(unitKey(m), key)
    }
  }

  /** The merge group whose display id is `text`, its members in any order. */
  groupNamed(text: string): string | undefined {
    if (!text.includes('+')) return undefined
    const pieces = text.split('+').sort().join('\u0000')
    for (const [key, members] of this.groups) if (members.map(unitKey).sort().join('\u0000') === pieces) return key
    return undefined
  }

  /**
   * The unit `name` names: a part, a merge group's display id, or an original unit. With `memberMeansGroup`, an
   * original unit inside a merge group stands for its group (labels, removals); otherwise naming it is refused.
   */
  resolve(name: UnitId, memberMeansGroup = false): CuratedUnit {
    const text = unitKey(name)
    const part = this.parts.get(text)
    if (part) return part
    const away = this.splitAway.get(text)
    if (away) throw new CurationRefusal(`unit ${text} was split into ${away[0]} and ${away[1]}; name a part`)
    let key = this.groupNamed(text)
    if (key === undefined && this.groupOf.has(text)) {
      key = this.groupOf.get(text) as string
      if (!memberMeansGroup) throw new CurationRefusal(`unit ${text} is merged into ${key}; name the merged unit '${key}'`)
    }
    if (key !== undefined) {
      const awayGroup = this.splitAway.get(key)
      if (awayGroup) throw new CurationRefusal(`the merged unit ${key} was split into ${awayGroup[0]} and ${awayGroup[1]}; name a part`)
      return { key, name: key, members: this.groups.get(key) as UnitId[], selection: ALL_SPIKES, source: key, kind: 'merged' }
    }
    return { key: text, name, members: [name], selection: ALL_SPIKES, source: text, kind: 'unit' }
  }

  /** Parts not split again, in order of creation. */
  currentParts(): CuratedUnit[] {
    return [...this.parts.values()].filter((p) => !this.splitAway.has(p.key))
  }

  /** Adds a split; throws CurationRefusal when it does not fit. */
  addSplit(split: SplitRecord): [CuratedUnit, CuratedUnit] {
    const unit = this.resolve(split.unitId)
    const [first, second] = splitSelection(unit.selection, split.indices, unit.key)
    const keys = partKeys(unit)
    const made: CuratedUnit[] = []
    keys.forEach((key, i) => {
      if (this.parts.has(key) || this.splitAway.has(key)) throw new CurationRefusal(`unit ${key} exists already`)
      const p: CuratedUnit = { key, name: key, members: unit.members, selection: i === 0 ? first : second, source: unit.source, kind: 'part' }
      this.parts.set(key, p)
      made.push(p)
    })
    this.splitAway.set(unit.key, keys)
    return made as [CuratedUnit, CuratedUnit]
  }
}

/** Replays a curation's splits over its merge groups (and notes its removed units). */
export function unitLayout(c: { mergeGroups: readonly (readonly UnitId[])[]; splits?: readonly SplitRecord[]; removedUnits?: readonly UnitId[] }): UnitLayout {
  const layout = new UnitLayout(c.mergeGroups)
  for (const s of c.splits ?? []) layout.addSplit(s)
  for (const r of c.removedUnits ?? []) layout.removed.add(layout.resolve(r, true).key)
  return layout
}

/**
 * The units a curation shows for the figure's units `ids`, in their order: merge groups in place of their
 * members (once, where the first member appears), parts in place of the unit they split. Removed units are
 * included (with `removed` true) so views can show or hide them.
 */
export function curatedUnits(
  c: { mergeGroups: readonly (readonly UnitId[])[]; splits?: readonly SplitRecord[]; removedUnits?: readonly UnitId[] },
  ids: readonly UnitId[],
): (CuratedUnit & { removed: boolean })[] {
  const layout = unitLayout(c)
  const partsBySource = new Map<string, CuratedUnit[]>()
  for (const p of layout.currentParts()) {
    const list = partsBySource.get(p.source) ?? []
    list.push(p)
    partsBySource.set(p.source, list)
  }
  const out: (CuratedUnit & { removed: boolean })[] = []
  const seen = new Set<string>()
  for (const id of ids) {
    const text = unitKey(id)
    const group = layout.groupOf.get(text)
    const sourceKey = group ?? text
    if (seen.has(sourceKey)) continue
    seen.add(sourceKey)
    const parts = partsBySource.get(sourceKey)
    const units = parts ? [...parts].sort((a, b) => compareUnitIds(a.key, b.key)) : [layout.resolve(id, true)]
    for (const u of units) out.push({ ...u, removed: layout.removed.has(u.key) })
  }
  return out
}
