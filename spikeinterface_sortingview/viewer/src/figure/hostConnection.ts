// The view's side of the figurl protocol: finds its host, sends requests and routes answers.
import {
  type FigurlRequest,
  type FigurlRequestMessage,
  type ResponseFor,
  isRecord,
  parseMessageData,
} from '../protocol/messages'

export interface HostInfo {
  parentOrigin: string
  figureId: string
  /** The figURL state as the host gave it (object), or {} */
  initialState: Record<string, unknown>
}

export type ProgressListener = (p: { uri: string; loaded: number; total: number }) => void
export type UrlStateListener = (state: Record<string, unknown>) => void

export class HostConnection {
  private nextRequestId = 1
  private pending = new Map<string, (response: unknown) => void>()
  private progressListeners = new Set<ProgressListener>()
  private urlStateListeners = new Set<UrlStateListener>()

  constructor(readonly info: HostInfo) {
    window.addEventListener('message', (e: MessageEvent) => {
      if (e.source !== window.parent) return
      const msg = parseMessageData(e.data)
      if (!msg) return
      if (msg.type === 'figurlResponse' && typeof msg.requestId === 'string') {
        const resolve = this.pending.get(msg.requestId)
        if (resolve) {
          this.pending.delete(msg.requestId)
          resolve(msg.response)
        }
      } else if (msg.type === 'fileDownloadProgress' && typeof msg.uri === 'string') {
        for (const l of this.progressListeners) l({ uri: msg.uri, loaded: Number(msg.loaded), total: Number(msg.total) })
      } else if (msg.type === 'reportUrlStateChange' && isRecord(msg.state)) {
        for (const l of this.urlStateListeners) l(msg.state)
      }
    })
  }

  request<R extends FigurlRequest>(request: R): Promise<ResponseFor[R['type']]> {
    const requestId = `r${this.nextRequestId++}`
    const msg: FigurlRequestMessage = { type: 'figurlRequest', figureId: this.info.figureId, requestId, request }
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, (response) => {
        if (isRecord(response)) resolve(response as unknown as ResponseFor[R['type']])
        else reject(new Error(`The host sent an invalid answer to ${request.type}`))
      })
      window.parent.postMessage(msg, this.info.parentOrigin)
    })
  }

  onProgress(l: ProgressListener): () => void {
    this.progressListeners.add(l)
    return () => this.progressListeners.delete(l)
  }

  onUrlStateChange(l: UrlStateListener): () => void {
    this.urlStateListeners.add(l)
    return () => this.urlStateListeners.delete(l)
  }
}

/** `s` arrives as a JSON string (URL or initializeFigure) or, from some hosts, as an object. */
export function parseStateValue(s: unknown): Record<string, unknown> {
  if (isRecord(s)) return s
  if (typeof s !== 'string' || s === '') return {}
  try {
    const v: unknown = JSON.parse(s)
    return isRecord(v) ? v : {}
  } catch {
    return {}
  }
}

/**
 * Works out who the host is: from our own URL (iframe src method) or, failing that, from
 * the initializeFigure message the host keeps posting (srcdoc method).
 */
export function findHost(timeoutMs = 15000): Promise<HostInfo> {
  if (window.parent === window) {
    return Promise.reject(new Error('This page shows a figure inside a figure host; open the figure URL (/f?v=...&d=...) instead.'))
  }
  const params = new URLSearchParams(window.location.search)
  const parentOrigin = params.get('parentOrigin')
  const figureId = params.get('figureId')
  if (parentOrigin && figureId) {
    return Promise.resolve({ parentOrigin, figureId, initialState: parseStateValue(params.get('s')) })
  }
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(() => reject(new Error('The figure host did not initialize the figure.')), timeoutMs)
    const listener = (e: MessageEvent): void => {
      const msg = parseMessageData(e.data)
      if (!msg || msg.type !== 'initializeFigure' || typeof msg.figureId !== 'string') return
      window.removeEventListener('message', listener)
      window.clearTimeout(timer)
      const origin = typeof msg.parentOrigin === 'string' && msg.parentOrigin !== '' ? msg.parentOrigin : '*'
      resolve({ parentOrigin: origin, figureId: msg.figureId, initialState: parseStateValue(msg.s) })
    }
    window.addEventListener('message', listener)
  })
}
