// The curation with the actions that made it, so that UNDO and REDO walk back and forth. Undo and redo are
// actions too (the runner's journal records them); the Python CurationHistory replays a journal the same way.
import { applyCurationAction, type CurationAction, CurationRefusal, type EditAction, emptyCuration, type SortingCuration } from './curation'

export interface ActionMeta {
  /** The curator's name on a runner ("local" without a curator token) */
  who?: string
  /** Unix seconds */
  time?: number
}

export interface DoneEntry extends ActionMeta {
  action: EditAction
  before: SortingCuration
}

export interface UndoneEntry extends ActionMeta {
  action: EditAction
}

export interface CurationHistory {
  present: SortingCuration
  /** Actions in effect, oldest first */
  past: DoneEntry[]
  /** Actions undone, the next to redo last */
  future: UndoneEntry[]
}

export function newHistory(present: SortingCuration = emptyCuration()): CurationHistory {
  return { present, past: [], future: [] }
}

export function canUndo(h: CurationHistory): boolean {
  const last = h.past[h.past.length - 1]
  return last !== undefined && (!h.present.isClosed || last.action.type === 'CLOSE_CURATION')
}

export function canRedo(h: CurationHistory): boolean {
  return h.future.length > 0 && !h.present.isClosed
}

/** The history after one action (UNDO and REDO included); throws CurationRefusal when it does not apply. */
export function historyReducer(h: CurationHistory, action: CurationAction, meta: ActionMeta = {}): CurationHistory {
  if (action.type === 'UNDO') {
    const last = h.past[h.past.length - 1]
    if (!last) throw new CurationRefusal('there is nothing to undo')
    if (!canUndo(h)) throw new CurationRefusal('the curation is closed; reopen it before UNDO')
    const { before, ...undone } = last
    return { present: before, past: h.past.slice(0, -1), future: [...h.future, undone] }
  }
  if (action.type === 'REDO') {
    const next = h.future[h.future.length - 1]
    if (!next) throw new CurationRefusal('there is nothing to redo')
    const present = applyCurationAction(h.present, next.action)
    return { present, past: [...h.past, { ...next, before: h.present }], future: h.future.slice(0, -1) }
  }
  const present = applyCurationAction(h.present, action)
  return { present, past: [...h.past, { action, before: h.present, ...meta }], future: [] }
}

export interface JournalRecord extends ActionMeta {
  action: CurationAction
}

/** The history a runner journal's records replay to (records that do not apply are skipped, as never written). */
export function replayHistory(records: readonly JournalRecord[]): CurationHistory {
  let h = newHistory()
  for (const r of records) {
    try {
      h = historyReducer(h, r.action, { who: r.who, time: r.time })
    } catch (err) {
      if (!(err instanceof CurationRefusal)) throw err
    }
  }
  return h
}

/** One line of the history as the panel shows it: what was done, by whom, and whether it is undone. */
export function describeAction(a: EditAction): string {
  const ids = (x: unknown): string => (Array.isArray(x) ? x.map(String).join(', ') : String(x))
  switch (a.type) {
    case 'ADD_UNIT_LABEL':
      return `label ${ids(a.unitId)} "${a.label}"`
    case 'REMOVE_UNIT_LABEL':
      return `unlabel ${ids(a.unitId)} "${a.label}"`
    case 'TOGGLE_UNIT_LABEL':
      return `toggle "${a.label}" on ${ids(a.unitId)}`
    case 'MERGE_UNITS':
      return `merge ${ids(a.unitIds)}`
    case 'UNMERGE_UNITS':
      return `unmerge ${ids(a.unitIds)}`
    case 'SPLIT_UNIT':
      return `split ${String(a.unitId)} (${a.indices.length} spikes apart)`
    case 'REMOVE_UNITS':
      return `remove ${ids(a.unitIds)}`
    case 'RESTORE_UNITS':
      return `restore ${ids(a.unitIds)}`
    case 'SET_CURATION':
      return 'start from a saved curation'
    case 'CLOSE_CURATION':
      return 'close'
    case 'REOPEN_CURATION':
      return 'reopen'
    case 'SET_LABEL_CHOICES':
      return 'set label choices'
    case 'SET_LABEL_DEFINITIONS':
      return 'set label definitions'
  }
}
