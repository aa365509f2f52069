// Correlograms of merged units: asked from the runner (sortingview.correlograms.1), or summed from a
// figure's per-unit correlograms when every part is there.
import type { TaskReply } from '../../compute/computeClient'
import type { TaskRequest } from '../../compute/useTask'
import { isRecord } from '../../protocol/messages'
import { type DisplayUnit, groupKey, unitGroupInput } from '../../state/mergeDisplay'
import { isUnitId, type UnitId } from '../../state/units'
import { list, numbers } from '../decode'
import { type Correlogram, mirrored } from './correlogram'

export const CORRELOGRAMS_TASK = 'sortingview.correlograms.1'

/** Correlograms by ordered pair of display-unit keys: `pairKey('3+7', '5')`; an autocorrelogram is (k, k). */
export type CorrelogramTable = Map<string, Correlogram>

export const pairKey = (a: string, b: string): string => `${a}|${b}`

export interface CorrelogramBins {
  windowMs: number
  binMs: number
  /** The figure's bin count, sent so that computed bins line up (SpikeInterface's counts are even). */
  numBins?: number
}

export const DEFAULT_BINS: CorrelogramBins = { windowMs: 50, binMs: 1 }

/** The window and bin of a stored correlogram, so that computed ones line up with the figure's. */
export function binsOf(c: Correlogram | undefined): CorrelogramBins {
  const n = c?.binCounts.length ?? 0
  if (!c || n === 0 || c.binEdgesSec.length < 2) return DEFAULT_BINS
  // Edges are float32 seconds: round away the representation error (0.001 s is 0.00099999...).
  const binMs = Math.round((Number(c.binEdgesSec[1]) - Number(c.binEdgesSec[0])) * 1e9) / 1e6
  if (!(binMs > 0)) return DEFAULT_BINS
  return { windowMs: Math.round(n * binMs * 1e6) / 1e6, binMs, numBins: n }
}

/** One request for the correlograms of `units` (with the cross-correlograms of every pair when `cross`). */
export function correlogramsRequest(sortingUri: string, units: readonly DisplayUnit[], bins: CorrelogramBins, cross: boolean): TaskRequest {
  return {
    taskName: CORRELOGRAMS_TASK,
    taskInput: {
      sorting_uri: sortingUri,
      unit_groups: units.map(unitGroupInput),
      window_ms: bins.windowMs,
      bin_ms: bins.binMs,
      ...(bins.numBins !== undefined ? { num_bins: bins.numBins } : {}),
      cross,
    },
  }
}

function idList(x: unknown, path: string): UnitId[] {
  return list(x, path).map((u, i) => {
    if (!isUnitId(u)) throw new Error(`${path}[${i}] is not a unit id`)
    return u
  })
}

/** Reads a correlograms.1 answer into a table keyed like display units ('3', '3+7'). */
export function parseCorrelogramsReply(reply: TaskReply): CorrelogramTable {
  const r = reply.result
  if (!isRecord(r)) throw new Error('the correlograms answer is not an object')
  const binEdgesSec = numbers(r.binEdgesSec, 'binEdgesSec')
  const table: CorrelogramTable = new Map()
  list(r.autocorrelograms, 'autocorrelograms').forEach((x, i) => {
    if (!isRecord(x)) throw new Error(`autocorrelograms[${i}] is not an object`)
    const k = groupKey(idList(x.unitIds, `autocorrelograms[${i}].unitIds`))
    table.set(pairKey(k, k), { binEdgesSec, binCounts: numbers(x.binCounts, `autocorrelograms[${i}].binCounts`) })
  })
  list(r.crossCorrelograms ?? [], 'crossCorrelograms').forEach((x, i) => {
    if (!isRecord(x)) throw new Error(`crossCorrelograms[${i}] is not an object`)
    const k1 = groupKey(idList(x.unitIds1, `crossCorrelograms[${i}].unitIds1`))
    const k2 = groupKey(idList(x.unitIds2, `crossCorrelograms[${i}].unitIds2`))
    const c = { binEdgesSec, binCounts: numbers(x.binCounts, `crossCorrelograms[${i}].binCounts`) }
    table.set(pairKey(k1, k2), c)
    table.set(pairKey(k2, k1), mirrored(c))
  })
  return table
}

/** Element-wise sum of correlograms with identical bins; undefined when any is missing or bins differ. */
export function sumCorrelograms(parts: readonly (Correlogram | undefined)[]): Correlogram | undefined {
  const first = parts[0]
  if (!first) return undefined
  const n = first.binCounts.length
  const counts = new Float64Array(n)
  for (const p of parts) {
    if (!p || p.binCounts.length !== n || p.binEdgesSec.length !== first.binEdgesSec.length) return undefined
    for (let i = 0; i <= n; i++) if (Math.abs(Number(p.binEdgesSec[i]) - Number(first.binEdgesSec[i])) > 1e-7) return undefined
    for (let i = 0; i < n; i++) counts[i] = (counts[i] as number) + Number(p.binCounts[i])
  }
  return { binEdgesSec: first.binEdgesSec, binCounts: counts }
}

/**
 * The correlogram of two display units from per-unit correlograms (`find(a, b)` for units a, b; a = b gives
 * the autocorrelogram). Lags between distinct spikes of a group are exactly the lags of its members' own
 * autocorrelograms plus those between members, so a group's autocorrelogram is the sum over all ordered
 * member pairs, and a cross-correlogram of groups the sum over member pairs across them.
 */
export function summedCorrelogram(
  find: (a: UnitId, b: UnitId) => Correlogram | undefined,
  u1: DisplayUnit,
  u2: DisplayUnit,
): Correlogram | undefined {
  const parts: (Correlogram | undefined)[] = []
  for (const a of u1.unitIds) for (const b of u2.unitIds) parts.push(find(a, b))
  return sumCorrelograms(parts)
}
