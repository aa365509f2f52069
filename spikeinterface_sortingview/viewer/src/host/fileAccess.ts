// Answers the view's data requests (figure document, files, file URLs, storing files) over HTTP.
import type {
  GetFileDataRequest,
  GetFileDataResponse,
  GetFileDataUrlResponse,
  StoreFileRequest,
  StoreFileResponse,
} from '../protocol/messages'
import { decodeNdarraysNested } from '../protocol/ndarray'
import { urlForDataUri } from './dataUri'
import { NO_AUTH, type RunnerAuth } from './runnerToken'

export type ProgressCallback = (loaded: number, total: number) => void

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/** GETs a URL (optionally a byte range), reporting download progress; throws readable errors. */
export async function fetchBytes(
  url: string,
  range?: { start: number; end: number },
  onProgress?: ProgressCallback,
  auth: RunnerAuth = NO_AUTH,
): Promise<Uint8Array> {
  const headers: Record<string, string> = { ...auth.headersFor(url) }
  if (range) headers['Range'] = `bytes=${range.start}-${range.end - 1}`
  let resp: Response
  try {
    resp = await fetch(url, { headers })
  } catch (err) {
    throw new Error(`Could not reach ${url}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (!resp.ok) {
    const what = resp.status === 404 ? 'not found' : resp.status === 401 || resp.status === 403 ? refusedText(resp.status, auth) : `HTTP ${resp.status} ${resp.statusText}`
    throw new HttpError(`${url}: ${what}`, resp.status)
  }
  const total = Number(resp.headers.get('Content-Length') ?? 0)
  if (!resp.body || !onProgress) return new Uint8Array(await resp.arrayBuffer())
  // Read the stream ourselves so that large downloads can report progress to the view.
  const reader = resp.body.getReader()
  const chunks: Uint8Array[] = []
  let loaded = 0
  let lastReport = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    loaded += value.byteLength
    if (loaded - lastReport > 1 << 20) {
      lastReport = loaded
      onProgress(loaded, total)
    }
  }
  onProgress(loaded, total || loaded)
  const out = new Uint8Array(loaded)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}

export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  const text = new TextDecoder().decode(bytes)
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(`${what} is not valid JSON`)
  }
}

/**
 * getFileData: a view speaking protocol "p1" decodes ndarrays itself and gets raw JSON;
 * an older view expects the host to decode them.
 */
export async function getFileData(
  req: GetFileDataRequest,
  runnerBase: string,
  onProgress?: ProgressCallback,
  auth: RunnerAuth = NO_AUTH,
): Promise<GetFileDataResponse> {
  try {
    const url = urlForDataUri(req.uri, runnerBase)
    const range =
      req.startByte !== undefined && req.endByte !== undefined ? { start: req.startByte, end: req.endByte } : undefined
    const bytes = await fetchBytes(url, range, onProgress, auth)
    const responseType = req.responseType ?? 'json-deserialized'
    if (responseType === 'binary') return { type: 'getFileData', fileData: bytes.buffer }
    if (responseType === 'text') return { type: 'getFileData', fileData: new TextDecoder().decode(bytes) }
    const json = parseJsonBytes(bytes, req.uri)
    const fileData = req.figurlProtocolVersion === 'p1' ? json : await decodeNdarraysNested(json)
    return { type: 'getFileData', fileData }
  } catch (err) {
    return { type: 'getFileData', errorMessage: errorText(err) }
  }
}

export function getFileDataUrl(uri: string, runnerBase: string): GetFileDataUrlResponse {
  try {
    return { type: 'getFileDataUrl', fileDataUrl: urlForDataUri(uri, runnerBase) }
  } catch (err) {
    return { type: 'getFileDataUrl', errorMessage: errorText(err) }
  }
}

/** storeFile: POST the bytes to the runner's content-addressed store; it answers {uri}. */
export async function storeFile(req: StoreFileRequest, runnerBase: string, auth: RunnerAuth = NO_AUTH): Promise<StoreFileResponse> {
  try {
    const body: Uint8Array = typeof req.fileData === 'string' ? new TextEncoder().encode(req.fileData) : new Uint8Array(req.fileData)
    const url = `${runnerBase}/sha1`
    const resp = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', ...auth.headersFor(url) },
      body: body as Uint8Array<ArrayBuffer>,
    })
    if (!resp.ok) {
      const what = resp.status === 401 || resp.status === 403 ? refusedText(resp.status, auth) : `HTTP ${resp.status} ${resp.statusText}`
      return { type: 'storeFile', error: `Storing the file failed: ${what}` }
    }
    const reply: unknown = await resp.json()
    const uri = typeof reply === 'object' && reply !== null ? (reply as { uri?: unknown }).uri : undefined
    if (typeof uri !== 'string') return { type: 'storeFile', error: 'The server did not answer with a uri' }
    return { type: 'storeFile', uri }
  } catch (err) {
    return { type: 'storeFile', error: errorText(err) }
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** A runner that wants a token says 401/403; tell the user how to give it one. */
export function refusedText(status: number, auth: RunnerAuth): string {
  return auth.hasToken
    ? `the runner refused the access token (HTTP ${status}); open the figure again with the link sv-runner printed`
    : `the runner needs an access token (HTTP ${status}); open the figure with the link sv-runner printed, which ends in #token=...`
}
