// One line under the curation saying whether the runner's journal holds it (or why not).
import type { RunnerSync } from '../../figure/curationController'

export function RunnerSyncNote({ sync }: { sync: RunnerSync }) {
  switch (sync.state) {
    case 'off':
      return null
    case 'connecting':
      return <Note state="connecting" text="Reading the curation from the runner…" />
    case 'saving':
      return <Note state="saving" text="Saving on the runner…" title={`journal ${sync.journal}`} />
    case 'saved':
      return <Note state="saved" text="Saved on the runner" title={`journal ${sync.journal}, ${sync.numActions} actions`} />
    case 'unavailable':
      // Not an error: the curation still lives in the figure URL, as without a runner. A refusal says why
      // (no curator token, or a curator not authorized for this sorting's feed).
      if (sync.refused) return <Note state="unavailable" text={`Not saved on the runner (kept in the figure URL): ${sync.reason}`} title={sync.reason} />
      return <Note state="unavailable" text="Not saved on the runner (kept in the figure URL)" title={sync.reason} />
    case 'error':
      return <Note state="error" text={sync.message} />
  }
}

function Note({ state, text, title }: { state: RunnerSync['state']; text: string; title?: string }) {
  return (
    <div className={`curation-runner curation-runner-${state}`} data-testid="curation-runner-status" data-state={state} title={title}>
      {text}
    </div>
  )
}
