// Forwards a view's serviceQuery to the compute API (POST <service>/api) and splits JSON + binary replies.
import type { ServiceQueryRequest, ServiceQueryResponse } from '../protocol/messages'
import { errorText } from './fileAccess'

const TIMEOUT_MS = 120_000

export async function serviceQuery(req: ServiceQueryRequest, serviceBaseUrl: string): Promise<ServiceQueryResponse> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS)
  try {
    const resp = await fetch(`${serviceBaseUrl.replace(/\/+$/, '')}/api`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'serviceQueryRequest', serviceName: req.serviceName, query: req.query }),
      signal: controller.signal,
    })
    const bytes = new Uint8Array(await resp.arrayBuffer())
    const { json, payload } = splitReply(bytes)
    if (!resp.ok) {
      const message = jsonErrorMessage(json) ?? `HTTP ${resp.status} ${resp.statusText}`
      return { type: 'serviceQuery', errorMessage: `Service ${req.serviceName} failed: ${message}` }
    }
    const errorMessage = jsonErrorMessage(json)
    if (errorMessage) return { type: 'serviceQuery', errorMessage }
    const result = typeof json === 'object' && json !== null ? (json as { result?: unknown }).result : undefined
    return payload ? { type: 'serviceQuery', result, binaryPayload: payload } : { type: 'serviceQuery', result }
  } catch (err) {
    const message = controller.signal.aborted ? `timed out after ${TIMEOUT_MS / 1000} s` : errorText(err)
    return { type: 'serviceQuery', errorMessage: `Service ${req.serviceName} could not be reached: ${message}` }
  } finally {
    clearTimeout(timer)
  }
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
