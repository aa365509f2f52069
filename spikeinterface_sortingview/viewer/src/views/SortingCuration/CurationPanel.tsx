// SortingCuration2 / SortingCuration: label, merge and unmerge the selected units; save or export the curation.
import { useEffect, useMemo, useRef } from 'react'
import { useFigure, useSelection } from '../../figure/FigureContext'
import { canonicalJson } from '../../figure/curationController'
import { curationForExport, DEFAULT_LABEL_CHOICES, mergeGroupOf } from '../../state/curation'
import { useStore } from '../../state/store'
import { unitKey } from '../../state/units'
import { defineView, type ViewProps } from '../viewDefinition'
import { RunnerSyncNote } from './RunnerSyncNote'

export interface CurationViewData {
  labelChoices?: string[]
}

export function decodeCurationView(raw: Record<string, unknown>): CurationViewData {
  const lc = raw.labelChoices
  return Array.isArray(lc) && lc.every((l) => typeof l === 'string') && lc.length > 0 ? { labelChoices: lc as string[] } : {}
}
// (sortingUri, when present, is read by the figure itself: it names the runner journal of the curation.)

/** Letter shortcuts only for labels whose first letter is unique (accept/artifact share "a"). */
export function labelShortcuts(labels: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  labels.forEach((l, i) => {
    if (i < 9) out.set(String(i + 1), l)
  })
  const firsts = labels.map((l) => l.charAt(0).toLowerCase())
  labels.forEach((l, i) => {
    const c = firsts[i] ?? ''
    if (c && /[a-z]/.test(c) && firsts.filter((f) => f === c).length === 1) out.set(c, l)
  })
  return out
}

// Only one panel answers keys, even if a figure has several curation views.
let keyOwner: symbol | undefined

function CurationPanel({ data, height }: ViewProps<CurationViewData>) {
  const { curation: controller } = useFigure()
  const selected = useSelection()
  const curation = useStore(controller.curation)
  const status = useStore(controller.status)
  const runnerSync = useStore(controller.runner)
  const labelChoices = data.labelChoices ?? curation.labelChoices ?? DEFAULT_LABEL_CHOICES
  const shortcuts = useMemo(() => labelShortcuts(labelChoices), [labelChoices])
  const closed = curation.isClosed
  const canLabel = selected.length > 0 && !closed

  // The key handler is registered once; it reads the current selection through this ref.
  const selectedRef = useRef(selected)
  selectedRef.current = selected

  useEffect(() => {
    const me = Symbol('curation-panel')
    keyOwner ??= me
    const onKey = (e: KeyboardEvent): void => {
      if (keyOwner !== me || e.ctrlKey || e.metaKey || e.altKey) return
      const t = e.target
      if (t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return
      const label = shortcuts.get(e.key.toLowerCase())
      const sel = selectedRef.current
      if (!label || sel.length === 0) return
      e.preventDefault()
      controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: sel, label })
    }
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('keydown', onKey)
      if (keyOwner === me) keyOwner = undefined
    }
  }, [controller, shortcuts])

  const keysFor = (label: string): string =>
    [...shortcuts.entries()]
      .filter(([, l]) => l === label)
      .map(([k]) => k)
      .join(' / ')
  const inGroup = selected.some((u) => mergeGroupOf(curation, u) !== undefined)
  const numLabelled = Object.keys(curation.labelsByUnit).length

  const exportJson = (): void => {
    const doc = curationForExport(curation, labelChoices)
    const url = URL.createObjectURL(new Blob([canonicalJson(doc)], { type: 'application/json' }))
    const a = document.createElement('a')
    a.href = url
    a.download = 'sorting_curation.json'
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }

  return (
    <div className="curation-panel" style={{ maxHeight: height }}>
      <div className="curation-section">
        <div className="curation-heading">Selected units</div>
        <div className="curation-selected" data-testid="curation-selected">
          {selected.length === 0 ? <span className="muted">none — click units in any view</span> : selected.map(unitKey).join(', ')}
        </div>
      </div>
      <div className="curation-section">
        <div className="curation-heading">Labels</div>
        <div className="curation-buttons">
          {labelChoices.map((label) => {
            const count = selected.filter((u) => (curation.labelsByUnit[unitKey(u)] ?? []).includes(label)).length
            const pressed = selected.length > 0 && count === selected.length
            return (
              <button
                type="button"
                key={label}
                data-testid={`label-${label}`}
                className={`label-button label-${label}` + (pressed ? ' pressed' : count > 0 ? ' partial' : '')}
                aria-pressed={pressed}
                disabled={!canLabel}
                title={`Toggle "${label}" on the selected units (key ${keysFor(label)})`}
                onClick={() => controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: selected, label })}
              >
                {label}
                <kbd>{keysFor(label).split(' / ')[0]}</kbd>
              </button>
            )
          })}
        </div>
      </div>
      <div className="curation-section curation-buttons">
        <button
          type="button"
          data-testid="merge-button"
          disabled={selected.length < 2 || closed}
          title="Merge the selected units into one group"
          onClick={() => controller.dispatch({ type: 'MERGE_UNITS', unitIds: selected })}
        >
          Merge selected
        </button>
        <button
          type="button"
          data-testid="unmerge-button"
          disabled={!inGroup || closed}
          title="Take the selected units out of their merge groups"
          onClick={() => controller.dispatch({ type: 'UNMERGE_UNITS', unitIds: selected })}
        >
          Unmerge
        </button>
      </div>
      <div className="curation-section">
        <div className="curation-heading">Curation</div>
        <div className="curation-summary">
          {numLabelled} labelled unit{numLabelled === 1 ? '' : 's'}, {curation.mergeGroups.length} merge group{curation.mergeGroups.length === 1 ? '' : 's'}
          {closed ? ' — closed' : ''}
        </div>
        {curation.mergeGroups.length > 0 && (
          <ul className="merge-groups">
            {curation.mergeGroups.map((g) => (
              <li key={g.map(unitKey).join(',')}>{g.map(unitKey).join(' + ')}</li>
            ))}
          </ul>
        )}
        <div className="curation-buttons">
          <button type="button" data-testid="save-curation" disabled={status.busy} title="Store a snapshot and put its URI in the figure URL" onClick={() => void controller.save(labelChoices)}>
            Save
          </button>
          <button type="button" data-testid="export-curation" title="Download the curation JSON" onClick={exportJson}>
            Export JSON
          </button>
          <button
            type="button"
            data-testid={closed ? 'reopen-curation' : 'close-curation'}
            onClick={() => controller.dispatch({ type: closed ? 'REOPEN_CURATION' : 'CLOSE_CURATION' })}
          >
            {closed ? 'Reopen' : 'Close curation'}
          </button>
        </div>
        {status.savedUri && (
          <div className="curation-status" data-testid="curation-saved-uri">
            Saved: <code>{status.savedUri}</code>
          </div>
        )}
        {status.error && <div className="curation-error">{status.error}</div>}
        <RunnerSyncNote sync={runnerSync} />
      </div>
      <div className="curation-hint">Keys: {[...shortcuts.entries()].map(([k, l]) => `${k} ${l}`).join(', ')}</div>
    </div>
  )
}

export const sortingCuration2View = defineView(decodeCurationView, CurationPanel, { showsSelection: true })
export const sortingCurationView = defineView(() => ({}), CurationPanel, { showsSelection: true })
