// ConfusionMatrix: matched events between two sortings, as SpikeInterface's confusion matrix of a ground-truth
// comparison (with FN column and FP row when the figure has them), shaded by agreement.
import { useMemo } from 'react'
import type { UnitId } from '../../state/units'
import { list, num, optStr, rec, unitId, ViewDataError } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface ConfusionMatrixData {
  sorting1UnitIds: UnitId[]
  sorting2UnitIds: UnitId[]
  /** Event counts of sorting 1's units and of sorting 2's, kept apart: both sortings may use ids 0..N */
  eventCounts1: Map<string, number>
  eventCounts2: Map<string, number>
  matching: Map<string, number>
  falseNegativeCounts?: number[]
  falsePositiveCounts?: number[]
  sorting1Name?: string
  sorting2Name?: string
}

function optCounts(x: unknown, n: number, path: string): number[] | undefined {
  if (x === undefined || x === null) return undefined
  const counts = list(x, path).map((c, i) => num(c, `${path}[${i}]`))
  if (counts.length !== n) throw new ViewDataError(`${path} should have one count per unit (${n}), found ${counts.length}`)
  return counts
}

export function decodeConfusionMatrix(raw: Record<string, unknown>): ConfusionMatrixData {
  const sorting1UnitIds = list(raw.sorting1UnitIds, 'sorting1UnitIds').map((u, i) => unitId(u, `sorting1UnitIds[${i}]`))
  const sorting2UnitIds = list(raw.sorting2UnitIds, 'sorting2UnitIds').map((u, i) => unitId(u, `sorting2UnitIds[${i}]`))
  const entries = list(raw.unitEventCounts, 'unitEventCounts').map((x, i) => {
    const r = rec(x, `unitEventCounts[${i}]`)
    return [String(unitId(r.unitId, `unitEventCounts[${i}].unitId`)), num(r.count, `unitEventCounts[${i}].count`)] as const
  })
  const eventCounts1 = new Map<string, number>()
  const eventCounts2 = new Map<string, number>()
  const n1 = sorting1UnitIds.length
  if (entries.length === n1 + sorting2UnitIds.length) {
    // The format lists sorting 1's units first, then sorting 2's: the position says which sorting a count is of.
    entries.forEach(([u, c], i) => (i < n1 ? eventCounts1 : eventCounts2).set(u, c))
  } else {
    // A figure that lists each id once: one count serves whichever sorting has the id.
    for (const [u, c] of entries) {
      eventCounts1.set(u, c)
      eventCounts2.set(u, c)
    }
  }
  const matching = new Map<string, number>()
  list(raw.matchingUnitEventCounts, 'matchingUnitEventCounts').forEach((x, i) => {
    const r = rec(x, `matchingUnitEventCounts[${i}]`)
    matching.set(`${String(unitId(r.unitId1, 'unitId1'))}|${String(unitId(r.unitId2, 'unitId2'))}`, num(r.count, 'count'))
  })
  return {
    sorting1UnitIds,
    sorting2UnitIds,
    eventCounts1,
    eventCounts2,
    matching,
    falseNegativeCounts: optCounts(raw.falseNegativeCounts, n1, 'falseNegativeCounts'),
    falsePositiveCounts: optCounts(raw.falsePositiveCounts, sorting2UnitIds.length, 'falsePositiveCounts'),
    sorting1Name: optStr(raw.sorting1Name),
    sorting2Name: optStr(raw.sorting2Name),
  }
}

function ConfusionMatrixView({ data, height }: ViewProps<ConfusionMatrixData>) {
  // Agreement = matches / (events1 + events2 - matches), the usual spike-sorting comparison score.
  const agreement = useMemo(() => {
    const out = new Map<string, number>()
    for (const [k, m] of data.matching) {
      const [a, b] = k.split('|')
      const n1 = data.eventCounts1.get(a ?? '') ?? 0
      const n2 = data.eventCounts2.get(b ?? '') ?? 0
      out.set(k, n1 + n2 - m > 0 ? m / (n1 + n2 - m) : 0)
    }
    return out
  }, [data])
  const fn = data.falseNegativeCounts
  const fp = data.falsePositiveCounts
  const name1 = data.sorting1Name ?? 'sorting 1'
  const name2 = data.sorting2Name ?? 'sorting 2'
  return (
    <div className="scroll-view" style={{ height }}>
      <table className="confusion-matrix">
        <caption>
          rows: {name1}, columns: {name2}
        </caption>
        <thead>
          <tr>
            <th title={`${name1} (rows) / ${name2} (columns)`}>1 \ 2</th>
            {data.sorting2UnitIds.map((u) => (
              <th key={String(u)}>{String(u)}</th>
            ))}
            <th title={fn ? 'false negatives: events of the row unit not matched' : 'events of the row unit'}>{fn ? 'FN' : 'events'}</th>
          </tr>
        </thead>
        <tbody>
          {data.sorting1UnitIds.map((u1, i) => (
            <tr key={String(u1)} data-unit-id1={String(u1)}>
              <th>{String(u1)}</th>
              {data.sorting2UnitIds.map((u2) => {
                const k = `${String(u1)}|${String(u2)}`
                const m = data.matching.get(k)
                const a = agreement.get(k) ?? 0
                return (
                  <td key={String(u2)} style={{ background: `rgba(33, 102, 172, ${a.toFixed(3)})`, color: a > 0.5 ? '#fff' : '#222' }} title={`agreement ${a.toFixed(2)}`}>
                    {m ?? ''}
                  </td>
                )
              })}
              <td className="num" data-testid="row-total">{fn ? fn[i] : (data.eventCounts1.get(String(u1)) ?? '')}</td>
            </tr>
          ))}
          <tr>
            <th title={fp ? 'false positives: events of the column unit not matched' : 'events of the column unit'}>{fp ? 'FP' : 'events'}</th>
            {data.sorting2UnitIds.map((u2, j) => (
              <td key={String(u2)} className="num" data-testid="column-total">
                {fp ? fp[j] : (data.eventCounts2.get(String(u2)) ?? '')}
              </td>
            ))}
            <td />
          </tr>
        </tbody>
      </table>
    </div>
  )
}

export const confusionMatrixView = defineView(decodeConfusionMatrix, ConfusionMatrixView, { showsSelection: false })
