// GroundTruthComparison: accuracy, precision and recall of each ground-truth unit against one sorting
// (SpikeInterface's compare_sorter_to_ground_truth), as a table with bars, SpikeForest's per-unit view.
import type { UnitId } from '../../state/units'
import { list, numbers, optNum, optStr, unitId, ViewDataError } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface UnitPerformance {
  gtUnitIds: UnitId[]
  matchedUnitIds: (UnitId | null)[]
  accuracy: number[]
  precision: number[]
  recall: number[]
  numGtEvents: number[]
}

export interface GroundTruthComparisonData {
  units: UnitPerformance
  wellDetectedScore: number
  sorterName?: string
  recordingName?: string
}

export function decodeUnitPerformance(raw: Record<string, unknown>, path: string): UnitPerformance {
  const gtUnitIds = list(raw.gtUnitIds, `${path}.gtUnitIds`).map((u, i) => unitId(u, `${path}.gtUnitIds[${i}]`))
  const n = gtUnitIds.length
  const column = (key: string): number[] => {
    const values = Array.from(numbers(raw[key], `${path}.${key}`), Number)
    if (values.length !== n) throw new ViewDataError(`${path}.${key} should have one value per ground-truth unit (${n})`)
    return values
  }
  const matchedUnitIds = list(raw.matchedUnitIds, `${path}.matchedUnitIds`).map((u, i) =>
    u === null ? null : unitId(u, `${path}.matchedUnitIds[${i}]`),
  )
  if (matchedUnitIds.length !== n) throw new ViewDataError(`${path}.matchedUnitIds should have one entry per ground-truth unit`)
  return {
    gtUnitIds,
    matchedUnitIds,
    accuracy: column('accuracy'),
    precision: column('precision'),
    recall: column('recall'),
    numGtEvents: column('numGtEvents'),
  }
}

export function decodeGroundTruthComparison(raw: Record<string, unknown>): GroundTruthComparisonData {
  return {
    units: decodeUnitPerformance(raw, 'data'),
    wellDetectedScore: optNum(raw.wellDetectedScore) ?? 0.8,
    sorterName: optStr(raw.sorterName),
    recordingName: optStr(raw.recordingName),
  }
}

export function scoreText(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : '–'
}

function ScoreBar({ value, color }: { value: number; color: string }) {
  const width = Number.isFinite(value) ? Math.max(0, Math.min(1, value)) * 100 : 0
  return (
    <div className="score-bar" title={scoreText(value)}>
      <div style={{ width: `${width.toFixed(1)}%`, background: color }} />
      <span>{scoreText(value)}</span>
    </div>
  )
}

/** The per-unit table, shared with the study table (which shows it for the cell picked). */
export function UnitPerformanceTable({ units, wellDetectedScore }: { units: UnitPerformance; wellDetectedScore: number }) {
  return (
    <table className="comparison-table" data-testid="unit-performance">
      <thead>
        <tr>
          <th>GT unit</th>
          <th>matched unit</th>
          <th>GT events</th>
          <th>accuracy</th>
          <th>precision</th>
          <th>recall</th>
        </tr>
      </thead>
      <tbody>
        {units.gtUnitIds.map((u, i) => {
          const accuracy = units.accuracy[i] ?? NaN
          return (
            <tr key={String(u)} data-gt-unit-id={String(u)} className={accuracy >= wellDetectedScore ? 'well-detected' : undefined}>
              <td>{String(u)}</td>
              <td>{units.matchedUnitIds[i] === null ? '–' : String(units.matchedUnitIds[i])}</td>
              <td className="num">{units.numGtEvents[i]}</td>
              <td data-testid="accuracy">
                <ScoreBar value={accuracy} color="#2166ac" />
              </td>
              <td>
                <ScoreBar value={units.precision[i] ?? NaN} color="#5aae61" />
              </td>
              <td>
                <ScoreBar value={units.recall[i] ?? NaN} color="#d6604d" />
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function GroundTruthComparisonView({ data, height }: ViewProps<GroundTruthComparisonData>) {
  const title = [data.sorterName, data.recordingName].filter((x) => x !== undefined).join(' on ')
  const wellDetected = data.units.accuracy.filter((a) => a >= data.wellDetectedScore).length
  return (
    <div className="scroll-view comparison-view" style={{ height }}>
      <p className="comparison-caption">
        {title ? `${title}: ` : ''}
        {wellDetected} of {data.units.gtUnitIds.length} ground-truth units well detected (accuracy ≥ {data.wellDetectedScore})
      </p>
      <UnitPerformanceTable units={data.units} wellDetectedScore={data.wellDetectedScore} />
    </div>
  )
}

export const groundTruthComparisonView = defineView(decodeGroundTruthComparison, GroundTruthComparisonView, { showsSelection: false })
