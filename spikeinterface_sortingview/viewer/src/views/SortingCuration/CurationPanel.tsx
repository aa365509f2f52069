// SortingCuration2 / SortingCuration: label, merge, unmerge, remove and restore the selected units, undo and redo;
// save or export the curation.
import { useEffect, useMemo, useRef, useState } from 'react'
import { useFigure, useSelection } from '../../figure/FigureContext'
import {
  DEFAULT_LABEL_CHOICES,
  mergeGroupOf,
  mergeUnits,
  redo,
  removeUnits,
  restoreUnits,
  type SortingCuration,
  toggleUnitLabel,
  undo,
  unmergeUnits,
  unitLayout,
} from '../../state/curation'
import { canRedo, canUndo } from '../../state/curationHistory'
import { useStore } from '../../state/store'
import { type UnitId, unitKey } from '../../state/units'
import { defineView, type ViewProps } from '../viewDefinition'
import { CurationHistoryList } from './CurationHistoryList'
import { downloadSortingviewJson, downloadSpikeInterfaceCuration } from './downloads'
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

/** Whether the unit the page shows for `id` is removed (false for a name the curation does not know). */
function isRemoved(c: SortingCuration, id: UnitId): boolean {
  if (!c.removedUnits?.length) return false
  try {
    const layout = unitLayout(c)
    return layout.removed.has(layout.resolve(id, true).key)
  } catch {
    return false
  }
}

/** Ctrl+Z undoes, Ctrl+Shift+Z (or Ctrl+Y) redoes; Cmd on a Mac. */
export function historyKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): 'undo' | 'redo' | undefined {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return undefined
  const k = e.key.toLowerCase()
  if (k === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (k === 'y' && !e.shiftKey) return 'redo'
  return undefined
}

function CurationPanel({ data, height }: ViewProps<CurationViewData>) {
  const { curation: controller, unitOrder } = useFigure()
  const selected = useSelection()
  const curation = useStore(controller.curation)
  const history = useStore(controller.history)
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
      if (keyOwner !== me) return
      const t = e.target
      if (t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return
      const walk = historyKey(e)
      if (walk) {
        e.preventDefault()
        controller.dispatch(walk === 'undo' ? undo() : redo())
        return
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return
      const label = shortcuts.get(e.key.toLowerCase())
      const sel = selectedRef.current
      if (!label || sel.length === 0) return
      e.preventDefault()
      controller.dispatch(toggleUnitLabel(sel, label))
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
  const anyRemoved = selected.some((u) => isRemoved(curation, u))
  const anyKept = selected.some((u) => !isRemoved(curation, u))
  const numLabelled = Object.keys(curation.labelsByUnit).length
  const numRemoved = curation.removedUnits?.length ?? 0
  const numSplits = curation.splits?.length ?? 0
  const [exportError, setExportError] = useState<string>()

  const exportSpikeInterface = (): void => {
    try {
      downloadSpikeInterfaceCuration(curation, labelChoices, unitOrder.ids)
      setExportError(undefined)
    } catch (err) {
      setExportError(`Export failed: ${err instanceof Error ? err.message : String(err)}`)
    }
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
              onClick={() => controller.dispatch(toggleUnitLabel(selected, label))}
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
          onClick={() => controller.dispatch(mergeUnits(selected))}
        >
          Merge selected
        </button>
        <button
          type="button"
          data-testid="unmerge-button"
          disabled={!inGroup || closed}
          title="Take the selected units out of their merge groups"
          onClick={() => controller.dispatch(unmergeUnits(selected))}
        >
          Unmerge
        </button>
        <button
          type="button"
          data-testid="remove-units"
          disabled={!anyKept || closed}
          title="Remove the selected units from the curated sorting"
          onClick={() => controller.dispatch(removeUnits(selected.filter((u) => !isRemoved(curation, u))))}
        >
          Remove
        </button>
        <button
          type="button"
          data-testid="restore-units"
          disabled={!anyRemoved || closed}
          title="Bring the selected removed units back"
          onClick={() => controller.dispatch(restoreUnits(selected.filter((u) => isRemoved(curation, u))))}
        >
          Restore
        </button>
      </div>
      <div className="curation-buttons">
        <button type="button" data-testid="undo-curation" disabled={!canUndo(history)} title="Undo the last action (Ctrl+Z)" onClick={() => controller.dispatch(undo())}>
          ↶ Undo
        </button>
        <button type="button" data-testid="redo-curation" disabled={!canRedo(history)} title="Redo the last undone action (Ctrl+Shift+Z)" onClick={() => controller.dispatch(redo())}>
          ↷ Redo
        </button>
      </div>
      <div className="curation-buttons">
        <button type="button" data-testid="save-curation" disabled={status.busy} title="Store a snapshot and put its URI in the figure URL" onClick={() => void controller.save(labelChoices)}>
          Save
        </button>
        <button type="button" data-testid="export-curation" title="Download the curation in sortingview's JSON format" onClick={() => downloadSortingviewJson(curation, labelChoices)}>
          Export JSON
        </button>
        <button
          type="button"
          data-testid="export-spikeinterface"
          title="Download the curation in SpikeInterface's curation format (v2), for spikeinterface.curation.apply_curation"
          onClick={exportSpikeInterface}
        >
          Export SpikeInterface
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
      {status.error && (
        <div className="curation-error" data-testid="curation-error">
          {status.error}
        </div>
      )}
      {exportError && <div className="curation-error">{exportError}</div>}
      <div className="curation-summary" data-testid="curation-summary">
        {numLabelled} labelled unit{numLabelled === 1 ? '' : 's'}, {curation.mergeGroups.length} merge group{curation.mergeGroups.length === 1 ? '' : 's'}
        {numSplits > 0 && `, ${numSplits} split${numSplits === 1 ? '' : 's'}`}
        {numRemoved > 0 && `, ${numRemoved} removed (${(curation.removedUnits ?? []).map(unitKey).join(', ')})`}
        {closed ? ' — closed' : ''}
        {curation.mergeGroups.length > 0 && ': ' + curation.mergeGroups.map((g) => g.map(unitKey).join(' + ')).join(', ')}
      </div>
      <RunnerSyncNote sync={runnerSync} />
      <CurationHistoryList controller={controller} />
      <div className="curation-hint">
        Keys: {[...shortcuts.entries()].map(([k, l]) => `${k} ${l}`).join(', ')}, Ctrl+Z undo, Ctrl+Shift+Z redo
      </div>
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
