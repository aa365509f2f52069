// ConfusionMatrix: matching events between two sortings, shaded by agreement.
import { useMemo } from 'react'
import type { UnitId } from '../../state/units'
import { list, num, rec, unitId } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface ConfusionMatrixData {
  sorting1UnitIds: UnitId[]
  sorting2UnitIds: UnitId[]
  unitEventCounts: Map<string, number>
  matching: Map<string, number>
}

export function decodeConfusionMatrix(raw: Record<string, unknown>): ConfusionMatrixData {
  const unitEventCounts = new Map<string, number>()
  list(raw.unitEventCounts, 'unitEventCounts').forEach((x, i) => {
    const r = rec(x, `unitEventCounts[${i}]`)
    unitEventCounts.set(String(unitId(r.unitId, 'unitId')), num(r.count, 'count'))
  })
  const matching = new Map<string, number>()
  list(raw.matchingUnitEventCounts, 'matchingUnitEventCounts').forEach((x, i) => {
    const r = rec(x, `matchingUnitEventCounts[${i}]`)
    matching.set(`${String(unitId(r.unitId1, 'unitId1'))}|${String(unitId(r.unitId2, 'unitId2'))}`, num(r.count, 'count'))
  })
  return {
    sorting1UnitIds: list(raw.sorting1UnitIds, 'sorting1UnitIds').map((u, i) => unitId(u, `sorting1UnitIds[${i}]`)),
    sorting2UnitIds: list(raw.sorting2UnitIds, 'sorting2UnitIds').map((u, i) => unitId(u, `sorting2UnitIds[${i}]`)),
    unitEventCounts,
    matching,
  }
}

function ConfusionMatrixView({ data, height }: ViewProps<ConfusionMatrixData>) {
  // Agreement = matches / (events1 + events2 - matches), the usual spike-sorting comparison score.
  const agreement = useMemo(() => {
    const out = new Map<string, number>()
    for (const [k, m] of data.matching) {
      const [a, b] = k.split('|')
      const n1 = data.unitEventCounts.get(a ?? '') ?? 0
      const n2 = data.unitEventCounts.get(b ?? '') ?? 0
      out.set(k, n1 + n2 - m > 0 ? m / (n1 + n2 - m) : 0)
    }
    return out
  }, [data])
  return (
    <div className="scroll-view" style={{ height }}>
      <table className="confusion-matrix">
        <thead>
          <tr>
            <th title="sorting 1 (rows) / sorting 2 (columns)">1 \ 2</th>
            {data.sorting2UnitIds.map((u) => (
              <th key={String(u)}>{String(u)}</th>
            ))}
            <th>events</th>
          </tr>
        </thead>
        <tbody>
          {data.sorting1UnitIds.map((u1) => (
            <tr key={String(u1)}>
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
              <td className="num">{data.unitEventCounts.get(String(u1)) ?? ''}</td>
            </tr>
          ))}
          <tr>
            <th>events</th>
            {data.sorting2UnitIds.map((u2) => (
              <td key={String(u2)} className="num">
                {data.unitEventCounts.get(String(u2)) ?? ''}
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
