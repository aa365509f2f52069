// MultiSortingAgreement: units found by several sortings (SpikeInterface's compare_multiple_sorters): how many
// units each sorting shares with how many others, and the agreement units with their members.
import type { UnitId } from '../../state/units'
import { list, num, rec, str, unitId } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface AgreementUnit {
  unitId: UnitId
  agreementNumber: number
  averageAgreement: number
  unitIds: Map<string, UnitId>
}

export interface MultiSortingAgreementData {
  sortingNames: string[]
  units: AgreementUnit[]
  numUnits: Map<string, number>
}

export function decodeMultiSortingAgreement(raw: Record<string, unknown>): MultiSortingAgreementData {
  const units = list(raw.units, 'units').map((x, i) => {
    const r = rec(x, `units[${i}]`)
    const members = rec(r.unitIds, `units[${i}].unitIds`)
    return {
      unitId: unitId(r.unitId, `units[${i}].unitId`),
      agreementNumber: num(r.agreementNumber, `units[${i}].agreementNumber`),
      averageAgreement: num(r.averageAgreement, `units[${i}].averageAgreement`),
      unitIds: new Map(Object.entries(members).map(([k, v]) => [k, unitId(v, `units[${i}].unitIds.${k}`)])),
    }
  })
  const numUnits = new Map(Object.entries(rec(raw.numUnits, 'numUnits')).map(([k, v]) => [k, num(v, `numUnits.${k}`)]))
  return { sortingNames: list(raw.sortingNames, 'sortingNames').map((s, i) => str(s, `sortingNames[${i}]`)), units, numUnits }
}

function MultiSortingAgreementView({ data, height }: ViewProps<MultiSortingAgreementData>) {
  const k = data.sortingNames.length
  const levels = Array.from({ length: k }, (_, i) => i + 1)
  // For each sorting, its units by how many sortings found them (agreement number).
  const bySorting = new Map(data.sortingNames.map((name) => [name, levels.map((level) => data.units.filter((u) => u.agreementNumber === level && u.unitIds.has(name)).length)]))
  const sorted = [...data.units].sort((a, b) => b.agreementNumber - a.agreementNumber || b.averageAgreement - a.averageAgreement)
  return (
    <div className="scroll-view comparison-view" style={{ height }}>
      <table className="comparison-table" data-testid="agreement-by-sorting">
        <caption>units of each sorting found by 1…{k} sortings</caption>
        <thead>
          <tr>
            <th>sorting</th>
            <th>units</th>
            {levels.map((level) => (
              <th key={level}>found by {level}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.sortingNames.map((name) => (
            <tr key={name} data-sorting={name}>
              <th>{name}</th>
              <td className="num">{data.numUnits.get(name) ?? ''}</td>
              {(bySorting.get(name) ?? []).map((n, i) => (
                <td key={i} className="num" data-agreement-number={i + 1}>
                  {n}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <table className="comparison-table" data-testid="agreement-units">
        <caption>agreement units</caption>
        <thead>
          <tr>
            <th>unit</th>
            <th>found by</th>
            <th>average agreement</th>
            {data.sortingNames.map((name) => (
              <th key={name}>{name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((u) => (
            <tr key={String(u.unitId)}>
              <td>{String(u.unitId)}</td>
              <td className="num">{u.agreementNumber}</td>
              <td className="num">{u.averageAgreement.toFixed(2)}</td>
              {data.sortingNames.map((name) => (
                <td key={name}>{u.unitIds.has(name) ? String(u.unitIds.get(name)) : ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export const multiSortingAgreementView = defineView(decodeMultiSortingAgreement, MultiSortingAgreementView, { showsSelection: false })
