// The figurl view <-> host postMessage protocol: message and request types shared by both pages.

export type ResponseType = 'json' | 'text' | 'binary' | 'json-deserialized'

export interface GetFigureDataRequest {
  type: 'getFigureData'
  figurlProtocolVersion?: string
}

export interface GetFileDataRequest {
  type: 'getFileData'
  uri: string
  responseType?: ResponseType
  startByte?: number
  endByte?: number
  figurlProtocolVersion?: string
}

export interface GetFileDataUrlRequest {
  type: 'getFileDataUrl'
  uri: string
}

export interface StoreFileRequest {
  type: 'storeFile'
  fileData: string | ArrayBuffer | Uint8Array
  uri?: string
}

export interface SetUrlStateRequest {
  type: 'setUrlState'
  state: Record<string, unknown>
}

export interface ServiceQueryRequest {
  type: 'serviceQuery'
  serviceName: string
  query: unknown
  includeUserId?: boolean
}

export type FigurlRequest =
  | GetFigureDataRequest
  | GetFileDataRequest
  | GetFileDataUrlRequest
  | StoreFileRequest
  | SetUrlStateRequest
  | ServiceQueryRequest

export interface GetFigureDataResponse {
  type: 'getFigureData'
  figureData?: unknown
  errorMessage?: string
}

export interface GetFileDataResponse {
  type: 'getFileData'
  fileData?: unknown
  errorMessage?: string
}

export interface GetFileDataUrlResponse {
  type: 'getFileDataUrl'
  fileDataUrl?: string
  errorMessage?: string
}

export interface StoreFileResponse {
  type: 'storeFile'
  uri?: string
  error?: string
}

export interface SetUrlStateResponse {
  type: 'setUrlState'
}

export interface ServiceQueryResponse {
  type: 'serviceQuery'
  result?: unknown
  binaryPayload?: ArrayBuffer
  errorMessage?: string
  /** HTTP status of a failed query (this host's addition: 503 means the service has no compute) */
  status?: number
  /** A query sent with `wait` whose job is still running: its state and progress (this host's addition, HTTP 202) */
  pending?: { status: string; progress?: Record<string, unknown> }
}

export type FigurlResponse =
  | GetFigureDataResponse
  | GetFileDataResponse
  | GetFileDataUrlResponse
  | StoreFileResponse
  | SetUrlStateResponse
  | ServiceQueryResponse

/** Maps each request type to its response type, so callers get typed answers. */
export interface ResponseFor {
  getFigureData: GetFigureDataResponse
  getFileData: GetFileDataResponse
  getFileDataUrl: GetFileDataUrlResponse
  storeFile: StoreFileResponse
  setUrlState: SetUrlStateResponse
  serviceQuery: ServiceQueryResponse
}

// ---- messages on the wire ----

export interface InitializeFigureMessage {
  type: 'initializeFigure'
  parentOrigin: string
  figureId: string
  s?: string
}

export interface FigurlRequestMessage {
  type: 'figurlRequest'
  figureId: string
  requestId: string
  request: FigurlRequest
}

export interface FigurlResponseMessage {
  type: 'figurlResponse'
  requestId: string
  response: FigurlResponse
}

export interface FileDownloadProgressMessage {
  type: 'fileDownloadProgress'
  uri: string
  loaded: number
  total: number
}

export interface SetCurrentUserMessage {
  type: 'setCurrentUser'
  userId?: string
}

export interface ReportUrlStateChangeMessage {
  type: 'reportUrlStateChange'
  state: Record<string, unknown>
}

export type HostToViewMessage =
  | InitializeFigureMessage
  | FigurlResponseMessage
  | FileDownloadProgressMessage
  | SetCurrentUserMessage
  | ReportUrlStateChangeMessage

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** Some older hosts/views post JSON strings instead of objects; accept both. */
export function parseMessageData(data: unknown): Record<string, unknown> | undefined {
  if (typeof data === 'string') {
    try {
      const parsed: unknown = JSON.parse(data)
      return isRecord(parsed) ? parsed : undefined
    } catch {
      return undefined
    }
  }
  return isRecord(data) ? data : undefined
}

const requestTypes = new Set(['getFigureData', 'getFileData', 'getFileDataUrl', 'storeFile', 'setUrlState', 'serviceQuery'])

export function isFigurlRequestMessage(m: Record<string, unknown>): m is Record<string, unknown> & FigurlRequestMessage {
  return (
    m.type === 'figurlRequest' &&
    typeof m.requestId === 'string' &&
    isRecord(m.request) &&
    typeof m.request.type === 'string' &&
    requestTypes.has(m.request.type)
  )
}
