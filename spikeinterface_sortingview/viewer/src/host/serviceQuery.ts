// Forwards a view's serviceQuery to the compute API (POST <service>/api) and splits JSON + binary replies.
import type { ServiceQueryRequest, ServiceQueryResponse } from '../protocol/messages'
import { errorText, refusedText } from './fileAccess'
import { NO_AUTH, type RunnerAuth } from './runnerToken'

// The runner answers every task within its own timeout (at most 600 s); this only guards against a dead server.
const DEFAULT_TIMEOUT_MS = 120_000
const MAX_TIMEOUT_MS = 660_000

export async function serviceQuery(req: ServiceQueryRequest, serviceBaseUrl: string, auth: RunnerAuth = NO_AUTH): Promise<ServiceQueryResponse> {
  const timeoutMs = queryTimeoutMs(req.query)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  const url = `${serviceBaseUrl.replace(/\/+$/, '')}/api`
  try {
    const resp = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth.headersFor(url) },
      body: JSON.stringify({ type: 'serviceQueryRequest', serviceName: req.serviceName, query: req.query }),
      signal: controller.signal,
    })
    const bytes = new Uint8Array(await resp.arrayBuffer())
    const { json, payload } = splitReply(bytes)
    if (!resp.ok) {
      // A 403 with the runner's own reason (a curator not authorized for a sorting's feed) keeps that reason.
      const refused = resp.status === 401 || (resp.status === 403 && !jsonErrorMessage(json)) ? refusedText(resp.status, auth) : undefined
      const message = refused ?? jsonErrorMessage(json) ?? `HTTP ${resp.status} ${resp.statusText}`
      // The status travels with the message so that views can tell "no compute here" (503) from a failed task.
      return { type: 'serviceQuery', errorMessage: message, status: resp.status }
    }
    const errorMessage = jsonErrorMessage(json)
    if (errorMessage) return { type: 'serviceQuery', errorMessage, status: resp.status }
    // 202: a query sent with `wait` whose job runs on (a summary being computed); the view asks again.
    if (resp.status === 202) return { type: 'serviceQuery', pending: pendingOf(json) }
    const result = typeof json === 'object' && json !== null ? (json as { result?: unknown }).result : undefined
    return payload ? { type: 'serviceQuery', result, binaryPayload: payload } : { type: 'serviceQuery', result }
  } catch (err) {
    const message = controller.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : errorText(err)
    return { type: 'serviceQuery', errorMessage: `The service ${req.serviceName} could not be reached: ${message}` }
  } finally {
    clearTimeout(timer)
  }
}

/** A query may name its own timeout (seconds); the host waits a little longer than the runner does. */
function queryTimeoutMs(query: unknown): number {
  const t = typeof query === 'object' && query !== null ? (query as { timeout?: unknown }).timeout : undefined
  if (typeof t !== 'number' || !(t > 0)) return DEFAULT_TIMEOUT_MS
  return Math.min(MAX_TIMEOUT_MS, Math.max(DEFAULT_TIMEOUT_MS, t * 1000 + 30_000))
}

/** The reply is JSON, optionally followed by a newline and raw bytes (JSON text has no raw newline). */
export function splitReply(bytes: Uint8Array): { json: unknown; payload?: ArrayBuffer } {
  const nl = bytes.indexOf(10)
  const jsonBytes = nl < 0 ? bytes : bytes.subarray(0, nl)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes))
  } catch {
    json = undefined
  }
  if (nl < 0 || nl === bytes.length - 1) return { json }
  return { json, payload: bytes.slice(nl + 1).buffer }
}

function jsonErrorMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const m = (json as { errorMessage?: unknown }).errorMessage
  return typeof m === 'string' && m !== '' ? m : undefined
}

function pendingOf(json: unknown): { status: string; progress?: Record<string, unknown> } {
  const j = typeof json === 'object' && json !== null ? (json as { status?: unknown; progress?: unknown }) : {}
  const progress = typeof j.progress === 'object' && j.progress !== null ? (j.progress as Record<string, unknown>) : undefined
  return { status: typeof j.status === 'string' ? j.status : 'waiting', progress }
}
