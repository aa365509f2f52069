// SortingCuration2 / SortingCuration: label, merge and unmerge the selected units; save or export the curation.
import { useEffect, useMemo, useRef, useState } from 'react'
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

  // Compact, most used first: what is selected, the actions, then Save with the saved URI in full, so that
  // the URI is in view without scrolling in a summary's curation panel.
  return (
    <div className="curation-panel" style={{ maxHeight: height }}>
      <div className="curation-selected" data-testid="curation-selected">
        <span className="curation-heading">Selected: </span>
        {selected.length === 0 ? <span className="muted">none — click units in any view</span> : selected.map(unitKey).join(', ')}
      </div>
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
      <div className="curation-buttons">
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
      {status.savedUri && <SavedUri uri={status.savedUri} />}
      {status.error && <div className="curation-error">{status.error}</div>}
      <div className="curation-summary">
        {numLabelled} labelled unit{numLabelled === 1 ? '' : 's'}, {curation.mergeGroups.length} merge group{curation.mergeGroups.length === 1 ? '' : 's'}
        {closed ? ' — closed' : ''}
        {curation.mergeGroups.length > 0 && ': ' + curation.mergeGroups.map((g) => g.map(unitKey).join(' + ')).join(', ')}
      </div>
      <RunnerSyncNote sync={runnerSync} />
      <div className="curation-hint">Keys: {[...shortcuts.entries()].map(([k, l]) => `${k} ${l}`).join(', ')}</div>
    </div>
  )
}

/** The saved curation's URI in full (selectable) and a button that copies it. */
function SavedUri({ uri }: { uri: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed'>()
  useEffect(() => setCopied(undefined), [uri])
  const copy = (): void => {
    const done = (ok: boolean): void => setCopied(ok ? 'yes' : 'failed')
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(uri).then(
        () => done(true),
        () => done(copyWithSelection(uri)),
      )
    } else done(copyWithSelection(uri))
  }
  return (
    <div className="curation-status" data-testid="curation-saved-uri" data-uri={uri}>
      Saved: <code className="saved-uri">{uri}</code>{' '}
      <button type="button" data-testid="copy-saved-uri" title="Copy the URI to the clipboard" onClick={copy}>
        {copied === 'yes' ? 'Copied' : 'Copy'}
      </button>
      {copied === 'failed' && <span className="muted"> (select the URI and copy it)</span>}
    </div>
  )
}

/** The pre-Clipboard-API way, for frames where the API is not allowed. */
function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea')
  area.value = text
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.append(area)
  area.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  area.remove()
  return ok
}

export const sortingCuration2View = defineView(decodeCurationView, CurationPanel, { showsSelection: true })
export const sortingCurationView = defineView(() => ({}), CurationPanel, { showsSelection: true })
