// The parts of split units as views draw them: each part's colour (the units table uses the same), and which
// part a drawn spike belongs to, from its position in its unit's time-ordered train (docs/curation.md).
import { type SpikeSelection, type SplitRecord, unitLayout } from './curationUnits'
import { type UnitId, type UnitOrder, UNIT_PALETTE } from './units'

export interface DrawnPart {
  /** Display id, "7.1" */
  key: string
  color: string
  selection: SpikeSelection
}

/**
 * A part's colour: a palette entry offset from its source unit's (never the same), the two parts of one split
 * on neighbouring entries, so they differ from each other and from the unit they came from.
 */
export function partColor(key: string, source: UnitId, order: UnitOrder): string {
  const base = order.index(source)
  if (base < 0) return '#888888'
  const cut = key.lastIndexOf('.')
  let hash = 0
  for (let i = 0; i < cut; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0
  const offset = 1 + (hash % 11) * 2 + (key.slice(cut + 1) === '1' ? 0 : 1)
  return UNIT_PALETTE[(base + offset) % UNIT_PALETTE.length] as string
}

export interface SplitSourceParts {
  /** The original units the source draws from: one unit, or a merge group's members */
  members: UnitId[]
  parts: DrawnPart[]
}

/**
 * The current parts of each split source (an original unit or a merge group, by its display id), with their
 * colours; parts' positions count in the source's time-ordered train.
 */
export function partsBySource(
  curation: { mergeGroups: readonly (readonly UnitId[])[]; splits?: readonly SplitRecord[] },
  order: UnitOrder,
): Map<string, SplitSourceParts> {
  const out = new Map<string, SplitSourceParts>()
  if (!curation.splits?.length) return out
  let layout
  try {
    layout = unitLayout({ mergeGroups: curation.mergeGroups, splits: curation.splits })
  } catch {
    return out // a curation the reducer refused never reaches the views; draw units whole if one does
  }
  for (const part of layout.currentParts()) {
    const entry = out.get(part.source) ?? { members: part.members, parts: [] }
    entry.parts.push({ key: part.key, color: partColor(part.key, part.members[0] as UnitId, order), selection: part.selection })
    out.set(part.source, entry)
  }
  return out
}

/**
 * The current parts of each split original unit (by unit key). Parts of merged units are left out: their spikes
 * are numbered in the merged train, which a view drawing one unit's spikes cannot place.
 */
export function partsByUnit(
  curation: { mergeGroups: readonly (readonly UnitId[])[]; splits?: readonly SplitRecord[] },
  order: UnitOrder,
): Map<string, DrawnPart[]> {
  const out = new Map<string, DrawnPart[]>()
  for (const [source, entry] of partsBySource(curation, order)) if (entry.members.length === 1) out.set(source, entry.parts)
  return out
}

function contains(sorted: readonly number[], value: number): boolean {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((sorted[mid] as number) < value) lo = mid + 1
    else hi = mid
  }
  return lo < sorted.length && sorted[lo] === value
}

export function inSelection(selection: SpikeSelection, position: number): boolean {
  if (selection.mode === 'all') return true
  const listed = contains(selection.positions, position)
  return selection.mode === 'take' ? listed : !listed
}

/** For each drawn spike (its position in the unit's train), the index of its part in `parts`, or -1. */
export function partOfSpikes(positions: ArrayLike<number>, parts: readonly DrawnPart[]): Int8Array {
  const out = new Int8Array(positions.length).fill(-1)
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i] as number
    for (let k = 0; k < parts.length; k++) {
      if (inSelection((parts[k] as DrawnPart).selection, p)) {
        out[i] = k
        break
      }
    }
  }
  return out
}
