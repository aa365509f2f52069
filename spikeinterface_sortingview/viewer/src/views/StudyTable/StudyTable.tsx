// StudyTable: sorters x recordings of a ground-truth study (SpikeForest's study table): averaged accuracy and
// the number of well-detected units per cell; clicking a cell opens its per-unit accuracy, precision and recall.
import { useState } from 'react'
import { list, num, optNum, optStr, rec, str } from '../decode'
import { decodeUnitPerformance, scoreText, UnitPerformanceTable, type UnitPerformance } from '../GroundTruthComparison/GroundTruthComparison'
import { defineView, type ViewProps } from '../viewDefinition'

export interface StudyCell {
  sorterName: string
  recordingName: string
  numGtUnits: number
  numSortedUnits: number
  meanAccuracy: number
  numWellDetected: number
  runTimeSec?: number
  sortingUri?: string
  units: UnitPerformance
}

export interface StudyTableData {
  sorterNames: string[]
  recordingNames: string[]
  wellDetectedScore: number
  cells: Map<string, StudyCell>
}

const cellKey = (sorter: string, recording: string): string => `${sorter}\u0000${recording}`

export function decodeStudyTable(raw: Record<string, unknown>): StudyTableData {
  const cells = new Map<string, StudyCell>()
  list(raw.cells, 'cells').forEach((x, i) => {
    const path = `cells[${i}]`
    const r = rec(x, path)
    const cell: StudyCell = {
      sorterName: str(r.sorterName, `${path}.sorterName`),
      recordingName: str(r.recordingName, `${path}.recordingName`),
      numGtUnits: num(r.numGtUnits, `${path}.numGtUnits`),
      numSortedUnits: num(r.numSortedUnits, `${path}.numSortedUnits`),
      meanAccuracy: num(r.meanAccuracy, `${path}.meanAccuracy`),
      numWellDetected: num(r.numWellDetected, `${path}.numWellDetected`),
      runTimeSec: optNum(r.runTimeSec),
      sortingUri: optStr(r.sortingUri),
      units: decodeUnitPerformance(rec(r.units, `${path}.units`), `${path}.units`),
    }
    cells.set(cellKey(cell.sorterName, cell.recordingName), cell)
  })
  return {
    sorterNames: list(raw.sorterNames, 'sorterNames').map((s, i) => str(s, `sorterNames[${i}]`)),
    recordingNames: list(raw.recordingNames, 'recordingNames').map((s, i) => str(s, `recordingNames[${i}]`)),
    wellDetectedScore: optNum(raw.wellDetectedScore) ?? 0.8,
    cells,
  }
}

function StudyTableView({ data, height }: ViewProps<StudyTableData>) {
  const [picked, setPicked] = useState<string | undefined>(undefined)
  const cell = picked === undefined ? undefined : data.cells.get(picked)
  return (
    <div className="scroll-view comparison-view" style={{ height }}>
      <table className="comparison-table study-table" data-testid="study-table">
        <thead>
          <tr>
            <th>sorter \ recording</th>
            {data.recordingNames.map((r) => (
              <th key={r}>{r}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.sorterNames.map((s) => (
            <tr key={s}>
              <th>{s}</th>
              {data.recordingNames.map((r) => {
                const k = cellKey(s, r)
                const c = data.cells.get(k)
                if (c === undefined) return <td key={r} className="missing">no result</td>
                const shade = Math.max(0, Math.min(1, c.meanAccuracy))
                return (
                  <td
                    key={r}
                    data-sorter={s}
                    data-recording={r}
                    className={k === picked ? 'picked' : undefined}
                    style={{ background: `rgba(33, 102, 172, ${(shade * 0.8).toFixed(3)})`, color: shade > 0.6 ? '#fff' : '#222', cursor: 'pointer' }}
                    title="show the per-unit accuracy, precision and recall"
                    onClick={() => setPicked(k === picked ? undefined : k)}
                  >
                    <span data-testid="mean-accuracy">{scoreText(c.meanAccuracy)}</span>
                    <br />
                    <small>
                      <span data-testid="well-detected">{c.numWellDetected}</span>/{c.numGtUnits} well detected
                    </small>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="comparison-caption">
        Mean accuracy over ground-truth units; well detected: accuracy ≥ {data.wellDetectedScore}. Click a cell for its units.
      </p>
      {cell !== undefined && (
        <div data-testid="study-cell-units">
          <p className="comparison-caption">
            {cell.sorterName} on {cell.recordingName}: {cell.numSortedUnits} sorted units
            {cell.runTimeSec !== undefined ? `, sorted in ${cell.runTimeSec.toFixed(1)} s` : ''}
          </p>
          <UnitPerformanceTable units={cell.units} wellDetectedScore={data.wellDetectedScore} />
        </div>
      )}
    </div>
  )
}

export const studyTableView = defineView(decodeStudyTable, StudyTableView, { showsSelection: false })
