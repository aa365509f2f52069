// Keeps the curation in the page and in the figURL state (inline JSON, or a saved sha1:// snapshot).
import { isRecord } from '../protocol/messages'
import {
  type CurationAction,
  curationReducer,
  emptyCuration,
  parseCuration,
  type SortingCuration,
} from '../state/curation'
import { Store } from '../state/store'
import type { HostConnection } from './hostConnection'

export interface CurationStatus {
  /** The snapshot URI when the current curation is the saved one */
  savedUri?: string
  message?: string
  error?: string
  busy?: boolean
}

/** Deterministic JSON (sorted keys, compact) so equal curations give equal snapshots. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
    return v
  }
  return JSON.stringify(sort(value))
}

export class CurationController {
  readonly curation = new Store<SortingCuration>(emptyCuration())
  readonly status = new Store<CurationStatus>({})
  private urlState: Record<string, unknown>

  constructor(
    private host: HostConnection,
    initialUrlState: Record<string, unknown>,
  ) {
    this.urlState = { ...initialUrlState }
  }

  /** Restores the curation from the figURL state: an inline object, or a URI to load. */
  async restore(): Promise<void> {
    const c = this.urlState.sortingCuration
    try {
      if (typeof c === 'string' && c !== '') {
        const r = await this.host.request({ type: 'getFileData', uri: c, responseType: 'json', figurlProtocolVersion: 'p1' })
        if (r.errorMessage) throw new Error(r.errorMessage)
        this.curation.set(parseCuration(r.fileData))
        this.status.set({ savedUri: c })
      } else if (isRecord(c)) {
        this.curation.set(parseCuration(c))
      }
    } catch (err) {
      this.status.set({ error: `Could not restore the curation from the figure URL: ${err instanceof Error ? err.message : String(err)}` })
    }
  }

  dispatch = (action: CurationAction): void => {
    const before = this.curation.get()
    const after = curationReducer(before, action)
    if (after === before) return
    this.curation.set(after)
    this.status.set({})
    this.writeUrlState({ ...this.urlState, sortingCuration: after })
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
