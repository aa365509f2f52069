// MergeSuggestions: candidate merges from SpikeInterface's auto-merge (computed by the runner), each accepted
// (a MERGE_UNITS curation action) or dismissed by the curator.
import { useEffect, useMemo, useState } from 'react'
import { type ComputeError, computeErrorText } from '../../compute/computeClient'
import { asComputeError } from '../../compute/useTask'
import { useCurationClosed, useMergeGroups } from '../../figure/curationHooks'
import { useFigure } from '../../figure/FigureContext'
import { isRecord } from '../../protocol/messages'
import { mergeGroupOf } from '../../state/curation'
import { isUnitId, type UnitId, unitKey } from '../../state/units'
import { optList, str } from '../decode'
import '../shared/splits.css'
import { defineView, type ViewProps } from '../viewDefinition'

export const MERGE_SUGGESTIONS_TASK = 'sortingview.merge_suggestions.1'
const DEFAULT_PRESETS = ['similarity_correlograms', 'x_contaminations', 'temporal_splits', 'slay']
// Auto-merge builds templates and correlograms of every unit: minutes on a large sorting.
const TIMEOUT_SEC = 600

export interface MergeSuggestionsData {
  sortingUri: string
  recordingUri: string
  presets: string[]
}

export function decodeMergeSuggestions(raw: Record<string, unknown>): MergeSuggestionsData {
  const presets = optList(raw.presets, 'presets').map((p, i) => str(p, `presets[${i}]`))
  return { sortingUri: str(raw.sortingUri, 'sortingUri'), recordingUri: str(raw.recordingUri, 'recordingUri'), presets: presets.length > 0 ? presets : DEFAULT_PRESETS }
}

type Answer = { status: 'loading' } | { status: 'ready'; groups: UnitId[][] } | { status: 'error'; error: ComputeError }

function parseGroups(result: unknown): UnitId[][] {
  if (!isRecord(result) || !Array.isArray(result.groups)) throw new Error('the merge suggestions reply has no groups')
  return result.groups.map((g) => {
    if (!Array.isArray(g) || !g.every(isUnitId)) throw new Error('a merge suggestion is not a list of unit ids')
    return g as UnitId[]
  })
}

function MergeSuggestionsView({ data }: ViewProps<MergeSuggestionsData>) {
  const { compute, curation, selection, unitOrder } = useFigure()
  const mergeGroups = useMergeGroups()
  const closed = useCurationClosed()
  const [preset, setPreset] = useState(data.presets[0] ?? 'similarity_correlograms')
  const [answer, setAnswer] = useState<Answer>({ status: 'loading' })
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set())
  useEffect(() => {
    let live = true
    setAnswer({ status: 'loading' })
    compute
      .run(MERGE_SUGGESTIONS_TASK, { sorting_uri: data.sortingUri, recording_uri: data.recordingUri, preset }, { timeoutSec: TIMEOUT_SEC })
      .then((reply) => parseGroups(reply.result))
      .then(
        (groups) => live && setAnswer({ status: 'ready', groups: groups.map((g) => unitOrder.sort(g)) }),
        (err: unknown) => live && setAnswer({ status: 'error', error: asComputeError(err) }),
      )
    return () => {
      live = false
    }
  }, [compute, data, preset, unitOrder])
  const isMerged = (group: UnitId[]): boolean => {
    const g = mergeGroupOf({ mergeGroups }, group[0] as UnitId)
    return g !== undefined && group.every((u) => g.some((m) => unitKey(m) === unitKey(u)))
  }
  const rows = useMemo(() => (answer.status === 'ready' ? answer.groups : []), [answer])
  return (
    <div className="merge-suggestions" data-testid="merge-suggestions">
      <div style={{ marginBottom: 6 }}>
        Merge suggestions (SpikeInterface auto-merge, preset{' '}
        <select value={preset} onChange={(e) => setPreset(e.target.value)} data-testid="merge-preset">
          {data.presets.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        )
      </div>
      {answer.status === 'loading' && <div data-testid="merge-suggestions-loading">Computing candidate merges on the runner…</div>}
      {answer.status === 'error' && <div className="split-error">{computeErrorText(answer.error, 'the merge suggestions')}</div>}
      {answer.status === 'ready' && rows.length === 0 && <div>No merge proposed by this preset.</div>}
      <table>
        <tbody>
          {rows.map((group) => {
            const key = group.map(unitKey).join('+')
            const merged = isMerged(group)
            const gone = dismissed.has(key)
            return (
              <tr key={key} className={gone ? 'merge-suggestion-dismissed' : undefined} data-testid="merge-suggestion" data-units={key}>
                <td>
                  <a href="#" onClick={(e) => (e.preventDefault(), selection.set(group))} title="Select these units in every view">
                    {group.map(String).join(' + ')}
                  </a>
                </td>
                <td style={{ textAlign: 'right' }}>
                  {merged ? (
                    <span>merged</span>
                  ) : (
                    <>
                      <button disabled={gone || closed} data-testid="merge-accept" onClick={() => curation.dispatch({ type: 'MERGE_UNITS', unitIds: group })}>
                        Accept
                      </button>
                      <button
                        data-testid="merge-dismiss"
                        onClick={() => setDismissed((d) => (d.has(key) ? new Set([...d].filter((k) => k !== key)) : new Set([...d, key])))}
                      >
                        {gone ? 'Restore' : 'Dismiss'}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

export const mergeSuggestionsView = defineView(decodeMergeSuggestions, MergeSuggestionsView, { showsSelection: false })
