// Keeps the curation in the page and in the figURL state (inline JSON, or a saved sha1:// snapshot), and,
// when the figure names its sorting, in the runner's curation journal for that sorting.
import { type ComputeClient, ComputeError, computeErrorText } from '../compute/computeClient'
import { canonicalJson } from '../protocol/canonicalJson'
import { isRecord } from '../protocol/messages'
import { type CurationAction, CurationRefusal, emptyCuration, parseCuration, type SortingCuration } from '../state/curation'
import { type CurationHistory, historyReducer, type JournalRecord, newHistory, replayHistory } from '../state/curationHistory'
import { journalNameForSorting } from '../state/journalName'
import { Store } from '../state/store'
import type { HostConnection } from './hostConnection'

export { canonicalJson }

export interface CurationStatus {
  /** The snapshot URI when the current curation is the saved one */
  savedUri?: string
  message?: string
  error?: string
  busy?: boolean
}

/** Where the runner's journal stands; 'off' when the figure names no sorting. */
export type RunnerSync =
  | { state: 'off' }
  | { state: 'connecting'; journal?: string }
  | { state: 'saving'; journal: string }
  | { state: 'saved'; journal: string; numActions: number }
  | { state: 'unavailable'; reason: string; refused?: boolean }
  | { state: 'error'; journal: string; message: string }

const STATE_TASK = 'sortingview.curation_state.1'
const ACTION_TASK = 'sortingview.curation_action.1'

interface JournalReply {
  curation: SortingCuration
  numActions: number
  /** Every journal line (curation_state.1 only) */
  records?: JournalRecord[]
}

function parseJournalReply(result: unknown): JournalReply {
  if (!isRecord(result)) throw new Error('the curation reply is not an object')
  const numActions = typeof result.numActions === 'number' ? result.numActions : 0
  const reply: JournalReply = { curation: parseCuration(result.curation), numActions }
  if (Array.isArray(result.actions)) {
    reply.records = result.actions.filter(isRecord).map((r) => ({
      action: r.action as CurationAction,
      who: typeof r.who === 'string' ? r.who : undefined,
      time: typeof r.time === 'number' ? r.time : undefined,
    }))
  }
  return reply
}

/** Curations compared without labelChoices, which the journal fills in with its defaults. */
function sameCuration(a: SortingCuration, b: SortingCuration): boolean {
  const strip = (c: SortingCuration): unknown => ({ ...c, labelChoices: undefined })
  return canonicalJson(strip(a)) === canonicalJson(strip(b))
}

/** A random id for one action (crypto.randomUUID exists only in secure contexts; a runner may be plain http). */
export function newActionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

// Waits before each retry of an action whose answer did not arrive (runner restarting, worker replaced).
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000]

/** Runs `send` again while the runner cannot be reached or its worker died; any other outcome is final. */
export async function runWithRetries<T>(send: () => Promise<T>, delays: readonly number[] = RETRY_DELAYS_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send()
    } catch (err) {
      const transient = err instanceof ComputeError && (err.kind === 'unreachable' || err.status === 502)
      if (!transient || attempt >= delays.length) throw err
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]))
    }
  }
}

function isEmpty(c: SortingCuration): boolean {
  return (
    Object.keys(c.labelsByUnit).length === 0 &&
    c.mergeGroups.length === 0 &&
    !c.isClosed &&
    !c.splits?.length &&
    !c.removedUnits?.length &&
    !c.labelDefinitions
  )
}

export class CurationController {
  readonly curation = new Store<SortingCuration>(emptyCuration())
  /** What undo and redo walk; its present is `curation` */
  readonly history = new Store<CurationHistory>(newHistory())
  readonly status = new Store<CurationStatus>({})
  readonly runner = new Store<RunnerSync>({ state: 'off' })
  private urlState: Record<string, unknown>
  private journal: string | undefined
  private sortingUri: string | undefined
  // Actions reach the journal one at a time, in the order they were made.
  private queue: Promise<void> = Promise.resolve()
  private queued = 0

  constructor(
    private host: HostConnection,
    private compute: ComputeClient | undefined,
    initialUrlState: Record<string, unknown>,
  ) {
    this.urlState = { ...initialUrlState }
  }

  /**
   * Restores the curation from the figURL state: an inline object, or a URI to load. Without one, the figure's
   * starting curation (`initial`, from `plot_sorting_summary(..., curation_dict=...)`) is used.
   */
  async restore(initial?: unknown): Promise<void> {
    const c = this.urlState.sortingCuration ?? initial
    try {
      if (typeof c === 'string' && c !== '') {
        const r = await this.host.request({ type: 'getFileData', uri: c, responseType: 'json', figurlProtocolVersion: 'p1' })
        if (r.errorMessage) throw new Error(r.errorMessage)
        this.setPresent(parseCuration(r.fileData))
        this.status.set({ savedUri: c })
      } else if (isRecord(c)) {
        this.setPresent(parseCuration(c))
      }
    } catch (err) {
      this.status.set({ error: `Could not restore the curation from the figure URL: ${err instanceof Error ? err.message : String(err)}` })
    }
  }

  /**
   * Uses the runner's journal for this sorting: its curation wins when it has one; an empty journal is
   * given the curation the URL carried. Without compute on the runner the curation stays URL-only.
   * Actions made meanwhile wait in the queue and are sent once connected.
   */
  connectRunner(sortingUri: string): Promise<void> {
    if (!this.compute) return Promise.resolve()
    this.sortingUri = sortingUri
    this.runner.set({ state: 'connecting' })
    // What the URL carried, before any action made while connecting: those follow in the queue, so
    // seeding an empty journal with them included would apply them twice (a toggled label undone).
    const seed = this.curation.get()
    this.queue = this.queue.then(() => this.connect(sortingUri, seed))
    return this.queue
  }

  private async connect(sortingUri: string, seed: SortingCuration): Promise<void> {
    const compute = this.compute
    if (!compute) return
    let journal: string
    try {
      journal = await journalNameForSorting(sortingUri)
    } catch (err) {
      this.runner.set({ state: 'unavailable', reason: err instanceof Error ? err.message : String(err) })
      return
    }
    this.runner.set({ state: 'connecting', journal })
    try {
      const reply = parseJournalReply((await compute.run(STATE_TASK, { journal }, { cache: false })).result)
      this.journal = journal
      if (reply.numActions > 0 || isEmpty(seed)) {
        // Actions made while connecting are still queued: the journal's answers to them show them again.
        if (this.queued === 0) this.adoptJournal(reply)
        this.runner.set({ state: 'saved', journal, numActions: reply.numActions })
      } else {
        // A journal that has never been written starts from what the figure URL carried.
        await this.send({ type: 'SET_CURATION', curation: seed })
      }
    } catch (err) {
      this.fail(err, journal)
    }
  }

  /**
   * Applies an action (UNDO and REDO included) to the page's curation and sends it to the runner's journal, or
   * keeps it in the figURL state. An action that does not apply changes nothing and says why in `status`.
   */
  dispatch = (action: CurationAction): void => {
    let next: CurationHistory
    try {
      next = historyReducer(this.history.get(), action, { who: 'local', time: Date.now() / 1000 })
    } catch (err) {
      if (!(err instanceof CurationRefusal)) throw err
      this.status.set({ error: `${action.type}: ${err.message}` })
      return
    }
    this.history.set(next)
    this.curation.set(next.present)
    this.status.set({})
    this.writeUrlState({ ...this.urlState, sortingCuration: next.present })
    const r = this.runner.get().state
    if (r === 'off' || r === 'unavailable') return
    this.queued++
    this.queue = this.queue.then(async () => {
      this.queued--
      if (this.journal === undefined) return // connecting failed: the page keeps the URL-state curation
      await this.send(action).catch((err: unknown) => this.fail(err, this.journal ?? ''))
    })
  }

  private async send(action: CurationAction): Promise<void> {
    const compute = this.compute
    const journal = this.journal
    if (!compute || journal === undefined) return
    this.runner.set({ state: 'saving', journal })
    // The id makes a retry safe: the journal applies an action id once, even if the first answer was lost.
    const input: Record<string, unknown> = { journal, action, action_id: newActionId() }
    if (this.sortingUri !== undefined) input.sorting_uri = this.sortingUri
    try {
      const reply = parseJournalReply((await runWithRetries(() => compute.run(ACTION_TASK, input, { cache: false }))).result)
      // Only the answer to the last queued action is shown: earlier ones would flicker back.
      if (this.queued === 0) this.adopt(reply.curation)
      this.runner.set({ state: 'saved', journal, numActions: reply.numActions })
    } catch (err) {
      if (err instanceof ComputeError && err.kind === 'input') {
        // The journal refused the action (e.g. unknown unit): show why and return to the journal's state.
        const message = computeErrorText(err, 'this curation action')
        const state = await compute.run(STATE_TASK, { journal }, { cache: false }).then((r) => parseJournalReply(r.result), () => undefined)
        if (state) this.adoptJournal(state)
        this.runner.set({ state: 'error', journal, message })
        return
      }
      throw err
    }
  }

  private fail(err: unknown, journal: string): void {
    // No compute, no runner, or not a curator on this runner: the curation carries on in the URL state.
    if (err instanceof ComputeError && (err.kind === 'unavailable' || err.kind === 'unreachable' || err.kind === 'unauthorized')) {
      this.journal = undefined
      this.runner.set({ state: 'unavailable', reason: err.message, refused: err.kind === 'unauthorized' })
    } else {
      this.runner.set({ state: 'error', journal, message: computeErrorText(err, 'the curation journal') })
    }
  }

  /** Shows the journal's curation and keeps the figURL state in step with it. */
  private adopt(c: SortingCuration): void {
    const current = this.curation.get()
    if (sameCuration(current, c)) return
    const next = current.labelChoices && !c.labelChoices ? { ...c, labelChoices: current.labelChoices } : c
    // The journal disagrees with what this page did (another page curated too): its state, a new history.
    this.setPresent(next)
    this.writeUrlState({ ...this.urlState, sortingCuration: next })
  }

  /** The journal's curation with the history its lines replay to (who did what, and when). */
  private adoptJournal(reply: JournalReply): void {
    if (reply.records) {
      const h = replayHistory(reply.records)
      if (sameCuration(h.present, reply.curation)) {
        const current = this.curation.get()
        const present = current.labelChoices && !h.present.labelChoices ? { ...h.present, labelChoices: current.labelChoices } : h.present
        this.history.set({ ...h, present })
        if (!sameCuration(current, present)) {
          this.curation.set(present)
          this.writeUrlState({ ...this.urlState, sortingCuration: present })
        }
        return
      }
    }
    this.adopt(reply.curation)
  }

  private setPresent(c: SortingCuration): void {
    this.history.set(newHistory(c))
    this.curation.set(c)
  }

  /** Stores a snapshot in the content-addressed store and points the figURL state at it. */
  save = async (labelChoices: readonly string[]): Promise<void> => {
    this.status.set({ busy: true, message: 'Saving…' })
    const doc = { ...this.curation.get(), labelChoices: [...labelChoices] }
    try {
      const r = await this.host.request({ type: 'storeFile', fileData: canonicalJson(doc) })
      if (!r.uri) throw new Error(r.error ?? 'the host did not return a URI')
      this.writeUrlState({ ...this.urlState, sortingCuration: r.uri })
      this.status.set({ savedUri: r.uri, message: 'Saved' })
    } catch (err) {
      this.status.set({ error: `Saving failed: ${err instanceof Error ? err.message : String(err)}` })
    }
  }

  private writeUrlState(state: Record<string, unknown>): void {
    this.urlState = state
    void this.host.request({ type: 'setUrlState', state })
  }
}
