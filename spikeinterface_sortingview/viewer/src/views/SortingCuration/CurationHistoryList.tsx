// The curation's history in the panel: each action in effect, then the undone ones (greyed), newest first.
import { useStore } from '../../state/store'
import type { CurationController } from '../../figure/curationController'
import { describeAction } from '../../state/curationHistory'

const SHOWN = 30

function when(time: number | undefined): string {
  return time === undefined ? '' : new Date(time * 1000).toLocaleTimeString()
}

export function CurationHistoryList({ controller }: { controller: CurationController }) {
  const history = useStore(controller.history)
  const entries = [
    ...history.future.map((e) => ({ ...e, undone: true })),
    ...[...history.past].reverse().map((e) => ({ action: e.action, who: e.who, time: e.time, undone: false })),
  ]
  if (entries.length === 0) return null
  return (
    <details className="curation-history" data-testid="curation-history" open>
      <summary>
        History ({history.past.length} done{history.future.length > 0 ? `, ${history.future.length} undone` : ''})
      </summary>
      <ol>
        {entries.slice(0, SHOWN).map((e, i) => (
          <li key={i} data-undone={e.undone} className={e.undone ? 'undone' : undefined} title={e.undone ? 'undone: Redo applies it again' : undefined}>
            {describeAction(e.action)}
            {(e.who || e.time !== undefined) && (
              <span className="muted">
                {' '}
                — {e.who ?? ''} {when(e.time)}
              </span>
            )}
          </li>
        ))}
      </ol>
      {entries.length > SHOWN && <div className="muted">and {entries.length - SHOWN} earlier</div>}
    </details>
  )
}
