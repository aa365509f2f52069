// The curation in SpikeInterface's curation format (version 2), what the page's "Export SpikeInterface" downloads.
// Mirrors the Python package's to_spikeinterface_curation (docs/curation.md): one Curation when one step says it,
// else a list of steps (SpikeInterface's sequential curation), which apply_curation applies in order.
import { DEFAULT_LABEL_CHOICES, type LabelDefinitions, mergedLabels, type SortingCuration } from './curation'
import { type CuratedUnit, unitLayout } from './curationUnits'
import type { UnitId } from './units'
import { unitKey } from './units'

export const SPIKEINTERFACE_LABEL_CATEGORY = 'all_labels'

export interface SiSplit {
  unit_id: UnitId
  mode: 'indices'
  indices: number[][]
  new_unit_ids: UnitId[]
}

export interface SiCuration {
  format_version: '2'
  unit_ids: UnitId[]
  label_definitions: LabelDefinitions
  manual_labels: { unit_id: UnitId; labels: Record<string, string[]> }[]
  merges: { unit_ids: UnitId[]; new_unit_id: UnitId }[]
  removed: UnitId[]
  splits: SiSplit[]
}

class NewIds {
  private existing: Set<string>
  private ints: boolean
  private digits: boolean
  private next: number

  constructor(ids: readonly UnitId[]) {
    this.existing = new Set(ids.map(unitKey))
    this.ints = ids.every((u) => typeof u === 'number')
    this.digits = ids.every((u) => typeof u === 'string' && /^\d+$/.test(u))
    const numbers = (this.ints || this.digits) && ids.length > 0 ? ids.map((u) => Number(u)) : [-1]
    this.next = Math.max(...numbers) + 1
  }

  new(displayKey: string): UnitId {
    if (this.ints || this.digits) {
      const value = this.next++
      return this.ints ? value : String(value)
    }
    if (this.existing.has(displayKey)) throw new Error(`the curated unit '${displayKey}' has the id of a unit of the sorting`)
    return displayKey
  }
}

function labelDefinitions(c: SortingCuration): LabelDefinitions {
  const defs: LabelDefinitions = {}
  for (const [k, d] of Object.entries(c.labelDefinitions ?? {})) defs[k] = { label_options: [...d.label_options], exclusive: d.exclusive }
  const owned = new Set(Object.values(defs).flatMap((d) => d.label_options))
  const used = [...new Set(Object.values(c.labelsByUnit).flat())].sort()
  const choices = Object.keys(defs).length === 0 ? (c.labelChoices ?? DEFAULT_LABEL_CHOICES) : []
  const others = [...new Set([...choices, ...used])].filter((x) => !owned.has(x))
  if (others.length > 0) {
    // SpikeInterface wants at least two options per category; pad with unused default choices.
    for (const choice of [...DEFAULT_LABEL_CHOICES, 'other']) {
      if (others.length >= 2) break
      if (!others.includes(choice) && !owned.has(choice)) others.push(choice)
    }
    defs[SPIKEINTERFACE_LABEL_CATEGORY] = { label_options: others, exclusive: false }
  }
  return defs
}

function manualLabel(unitId: UnitId, labels: readonly string[], defs: LabelDefinitions): SiCuration['manual_labels'][number] | undefined {
  const byCategory: Record<string, string[]> = {}
  for (const label of labels) {
    const category = Object.entries(defs).find(([, d]) => d.label_options.includes(label))?.[0]
    if (category !== undefined) (byCategory[category] ??= []).push(label)
  }
  return Object.keys(byCategory).length > 0 ? { unit_id: unitId, labels: byCategory } : undefined
}

function step(unitIds: UnitId[], defs: LabelDefinitions = {}): SiCuration {
  return { format_version: '2', unit_ids: unitIds, label_definitions: defs, manual_labels: [], merges: [], removed: [], splits: [] }
}

function idsAfter(ids: readonly UnitId[], s: SiCuration): UnitId[] {
  const gone = new Set([...s.removed.map(unitKey), ...s.merges.flatMap((m) => m.unit_ids.map(unitKey)), ...s.splits.map((x) => unitKey(x.unit_id))])
  return [...ids.filter((u) => !gone.has(unitKey(u))), ...s.merges.map((m) => m.new_unit_id), ...s.splits.flatMap((x) => x.new_unit_ids)]
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** SpikeInterface's curation (format 2) for `c` on a sorting with `unitIds`; throws naming a unit it does not have. */
export function toSpikeInterfaceCuration(c: SortingCuration, unitIds: readonly UnitId[]): SiCuration | SiCuration[] {
  const ids = [...unitIds]
  const byText = new Map(ids.map((u) => [unitKey(u), u]))
  const layout = unitLayout(c)
  const known = (t: string): boolean => byText.has(t) || layout.parts.has(t) || layout.groups.has(t)
  for (const t of Object.keys(c.labelsByUnit)) if (!known(t)) throw new Error(`the curation labels unit '${t}', which is not in the sorting's unit ids`)
  for (const g of c.mergeGroups) for (const u of g) if (!byText.has(unitKey(u))) throw new Error(`the curation merges unit ${String(u)}, which is not in the sorting's unit ids`)
  const defs = labelDefinitions(c)
  const newIds = new NewIds(ids)

  const removedGroups = new Set([...layout.groups.keys()].filter((k) => layout.removed.has(k)))
  const removed: UnitId[] = [...layout.removed].sort().flatMap((k) => (byText.has(k) ? [byText.get(k) as UnitId] : []))
  for (const k of removedGroups) removed.push(...(layout.groups.get(k) ?? []))
  const finalId = new Map<string, UnitId>()
  const merges: SiCuration['merges'] = []
  for (const [key, members] of layout.groups) {
    if (removedGroups.has(key)) continue
    finalId.set(key, newIds.new(key))
    merges.push({ unit_ids: members.map((m) => byText.get(unitKey(m)) as UnitId), new_unit_id: finalId.get(key) as UnitId })
  }
  const leaves = new Map<string, CuratedUnit[]>()
  for (const p of layout.currentParts()) leaves.set(p.source, [...(leaves.get(p.source) ?? []), p])
  const splitsBySource = new Map<string, Omit<SiSplit, 'unit_id'>>()
  for (const [source, parts] of leaves) {
    const ordered = [...parts.filter((p) => p.selection.mode === 'take'), ...parts.filter((p) => p.selection.mode === 'drop')]
    for (const p of ordered) finalId.set(p.key, newIds.new(p.key))
    splitsBySource.set(source, {
      mode: 'indices',
      indices: ordered.filter((p) => p.selection.mode === 'take').map((p) => [...p.selection.positions]),
      new_unit_ids: ordered.map((p) => finalId.get(p.key) as UnitId),
    })
  }
  const sourceLabels = (p: CuratedUnit): string[] => {
    const g = layout.groups.get(p.source)
    return g ? mergedLabels(c, g) : (c.labelsByUnit[p.source] ?? [])
  }
  const groupSplits = [...splitsBySource.keys()].filter((s) => layout.groups.has(s))
  const removedParts = [...layout.removed].filter((k) => layout.parts.has(k))
  const relabelled = layout.currentParts().filter((p) => !sameLabels(c.labelsByUnit[p.key] ?? [], sourceLabels(p)))
  const oneStep = groupSplits.length === 0 && removedParts.length === 0 && relabelled.length === 0

  const first = step(ids, oneStep ? defs : {})
  first.removed = removed
  first.merges = merges
  first.splits = [...splitsBySource].filter(([s]) => !layout.groups.has(s)).map(([s, v]) => ({ unit_id: byText.get(s) as UnitId, ...v }))
  if (oneStep) {
    for (const [t, labels] of Object.entries(c.labelsByUnit)) {
      const id = byText.get(t)
      const label = id === undefined ? undefined : manualLabel(id, labels, defs)
      if (label) first.manual_labels.push(label)
    }
    return first
  }
  const steps = [first]
  let current = idsAfter(ids, first)
  if (groupSplits.length > 0) {
    const second = step(current)
    second.splits = groupSplits.map((s) => ({ unit_id: finalId.get(s) as UnitId, ...(splitsBySource.get(s) as Omit<SiSplit, 'unit_id'>) }))
    steps.push(second)
    current = idsAfter(current, second)
  }
  const last = step(current, defs)
  const keyOf = new Map([...finalId].map(([k, v]) => [unitKey(v), k]))
  for (const unit of current) {
    const key = keyOf.get(unitKey(unit)) ?? unitKey(unit)
    const g = layout.groups.get(key)
    const label = manualLabel(unit, g ? mergedLabels(c, g) : (c.labelsByUnit[key] ?? []), defs)
    if (label) last.manual_labels.push(label)
  }
  last.removed = removedParts.map((k) => finalId.get(k) as UnitId)
  steps.push(last)
  return steps
}
