// AgreementMatrix: agreement scores of every unit pair of two sortings, ordered with best matches on the diagonal
// (SpikeInterface's plot_agreement_matrix); the best match of each row is written out.
import type { UnitId } from '../../state/units'
import { list, matrix, type Matrix, optStr, unitId, ViewDataError } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface AgreementMatrixData {
  sorting1UnitIds: UnitId[]
  sorting2UnitIds: UnitId[]
  scores: Matrix
  bestMatch12: (UnitId | null)[]
  sorting1Name?: string
  sorting2Name?: string
}

export function decodeAgreementMatrix(raw: Record<string, unknown>): AgreementMatrixData {
  const sorting1UnitIds = list(raw.sorting1UnitIds, 'sorting1UnitIds').map((u, i) => unitId(u, `sorting1UnitIds[${i}]`))
  const sorting2UnitIds = list(raw.sorting2UnitIds, 'sorting2UnitIds').map((u, i) => unitId(u, `sorting2UnitIds[${i}]`))
  const scores = matrix(raw.agreementScores, 'agreementScores')
  if (scores.rows !== sorting1UnitIds.length || scores.cols !== sorting2UnitIds.length) {
    throw new ViewDataError(`agreementScores should be ${sorting1UnitIds.length} x ${sorting2UnitIds.length}, found ${scores.rows} x ${scores.cols}`)
  }
  const bestMatch12 = list(raw.bestMatch12, 'bestMatch12').map((u, i) => (u === null ? null : unitId(u, `bestMatch12[${i}]`)))
  if (bestMatch12.length !== sorting1UnitIds.length) throw new ViewDataError('bestMatch12 should have one entry per unit of sorting 1')
  return { sorting1UnitIds, sorting2UnitIds, scores, bestMatch12, sorting1Name: optStr(raw.sorting1Name), sorting2Name: optStr(raw.sorting2Name) }
}

function AgreementMatrixView({ data, height }: ViewProps<AgreementMatrixData>) {
  const { scores } = data
  const name1 = data.sorting1Name ?? 'sorting 1'
  const name2 = data.sorting2Name ?? 'sorting 2'
  return (
    <div className="scroll-view" style={{ height }}>
      <table className="confusion-matrix agreement-matrix">
        <caption>
          agreement scores — rows: {name1}, columns: {name2}
        </caption>
        <thead>
          <tr>
            <th>1 \ 2</th>
            {data.sorting2UnitIds.map((u) => (
              <th key={String(u)}>{String(u)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.sorting1UnitIds.map((u1, i) => (
            <tr key={String(u1)} data-unit-id1={String(u1)}>
              <th>{String(u1)}</th>
              {data.sorting2UnitIds.map((u2, j) => {
                const a = Number(scores.data[i * scores.cols + j] ?? 0)
                const best = data.bestMatch12[i] !== null && String(data.bestMatch12[i]) === String(u2)
                return (
                  <td
                    key={String(u2)}
                    data-best-match={best ? 'true' : undefined}
                    style={{ background: `rgba(35, 139, 69, ${a.toFixed(3)})`, color: a > 0.5 ? '#fff' : '#222' }}
                    title={`${name1} ${String(u1)} / ${name2} ${String(u2)}: agreement ${a.toFixed(3)}`}
                  >
                    {best ? a.toFixed(2) : ''}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export const agreementMatrixView = defineView(decodeAgreementMatrix, AgreementMatrixView, { showsSelection: false })
