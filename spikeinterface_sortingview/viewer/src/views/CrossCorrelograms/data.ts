// CrossCorrelograms data. A summary of 1,000 units holds tens of thousands of pairs and the view shows those of
// at most 8 selected units, so the loader leaves their arrays encoded (LAZY_FIELDS) and a pair is decoded, once,
// when the view first asks for it.
import { decodeNdarraySync, isEncodedNdarray, NdArray } from '../../protocol/ndarray'
import { type UnitId, unitKey } from '../../state/units'
import { list, numbers, optStr, rec, unitId, ViewDataError } from '../decode'
import { type Correlogram, mirrored } from '../shared/correlogram'

/** The fields of each pair that stay encoded until the pair is shown. */
export const LAZY_FIELDS = ['binEdgesSec', 'binCounts'] as const

/** One stored pair: its arrays as they came (encoded or decoded), and the correlogram once decoded. */
interface StoredPair {
  path: string
  binEdgesSec: unknown
  binCounts: unknown
  decoded?: Correlogram
}

export interface CrossCorrelogramsData {
  /** keyed by "unit1|unit2"; read through findCorrelogram */
  byPair: Map<string, StoredPair>
  /** The units the figure has correlograms for, canonical order not applied */
  unitIds: UnitId[]
  hideUnitSelector: boolean
  /** The shared sorting (this project's extension): lets the view ask the runner for what is missing */
  sortingUri?: string
}

const pairKey = (a: UnitId, b: UnitId): string => `${unitKey(a)}|${unitKey(b)}`

function isArrayLike(x: unknown): boolean {
  return isEncodedNdarray(x) || x instanceof NdArray || Array.isArray(x) || ArrayBuffer.isView(x)
}

/** Reads the pairs and their unit ids; each pair's arrays are checked for kind here and decoded when shown. */
export function decodeCrossCorrelograms(raw: Record<string, unknown>): CrossCorrelogramsData {
  const byPair = new Map<string, StoredPair>()
  const units = new Map<string, UnitId>()
  list(raw.crossCorrelograms, 'crossCorrelograms').forEach((x, i) => {
    const p = `crossCorrelograms[${i}]`
    const r = rec(x, p)
    const u1 = unitId(r.unitId1, `${p}.unitId1`)
    const u2 = unitId(r.unitId2, `${p}.unitId2`)
    units.set(unitKey(u1), u1)
    units.set(unitKey(u2), u2)
    if (!isArrayLike(r.binEdgesSec)) throw new ViewDataError(`${p}.binEdgesSec should be a numeric array`)
    if (!isArrayLike(r.binCounts)) throw new ViewDataError(`${p}.binCounts should be a numeric array`)
    byPair.set(pairKey(u1, u2), { path: p, binEdgesSec: r.binEdgesSec, binCounts: r.binCounts })
  })
  const data: CrossCorrelogramsData = { byPair, unitIds: [...units.values()], hideUnitSelector: raw.hideUnitSelector === true }
  const sortingUri = optStr(raw.sortingUri)
  if (sortingUri) data.sortingUri = sortingUri
  return data
}

function decodedArray(x: unknown, path: string) {
  return numbers(isEncodedNdarray(x) ? decodeNdarraySync(x) : x, path)
}

/** The pair's correlogram, decoded on first use (a bad array throws, naming the pair's place in the file). */
function correlogramOf(s: StoredPair): Correlogram {
  if (!s.decoded) {
    try {
      s.decoded = { binEdgesSec: decodedArray(s.binEdgesSec, `${s.path}.binEdgesSec`), binCounts: decodedArray(s.binCounts, `${s.path}.binCounts`) }
    } catch (err) {
      if (err instanceof ViewDataError) throw err
      throw new ViewDataError(`${s.path}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  return s.decoded
}

/** Stored for (a, b) or only for (b, a), in which case the lags are mirrored. */
export function findCorrelogram(data: CrossCorrelogramsData, a: UnitId, b: UnitId): Correlogram | undefined {
  const direct = data.byPair.get(pairKey(a, b))
  if (direct) return correlogramOf(direct)
  const reverse = data.byPair.get(pairKey(b, a))
  return reverse ? mirrored(correlogramOf(reverse)) : undefined
}

/** Any one stored correlogram (its bins are those of every other), or undefined when there is none. */
export function firstCorrelogram(data: CrossCorrelogramsData): Correlogram | undefined {
  const first = data.byPair.values().next().value
  return first ? correlogramOf(first) : undefined
}

/** How many stored pairs have been decoded so far. */
export function decodedPairs(data: CrossCorrelogramsData): number {
  let n = 0
  for (const s of data.byPair.values()) if (s.decoded) n++
  return n
}
