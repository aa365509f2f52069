// The host page served at /f: owns data access and answers the figure view's postMessage requests.
import './host.css'
import {
  type FigurlRequest,
  type FigurlResponse,
  type HostToViewMessage,
  isFigurlRequestMessage,
  parseMessageData,
} from '../protocol/messages'
import { decodeNdarraysNested } from '../protocol/ndarray'
import { FigureUriError, urlForDataUri } from './dataUri'
import { showErrorPage, showLoading } from './errorPage'
import { errorText, fetchBytes, getFileData, getFileDataUrl, HttpError, parseJsonBytes, storeFile } from './fileAccess'
import { dropTokenFromQuery, loadRunnerToken, RunnerAuth } from './runnerToken'
import { serviceQuery } from './serviceQuery'
import { NO_RUNNER_MESSAGE, readStaticFigure } from './staticFigure'
import { parseUrlState, sortedJson, withUrlState } from './urlState'
import { resolveViewAddress, runnerBaseUrl } from './viewAddress'

const INITIALIZE_INTERVAL_MS = 200

async function main(): Promise<void> {
  const root = document.getElementById('host-root')
  if (!root) return
  // A static export names its figure in the page and has its files beside it; a runner's page reads its address.
  const staticCopy = readStaticFigure(document, window.location.href)
  const params = staticCopy?.params ?? new URLSearchParams(window.location.search)
  const v = params.get('v')
  const d = params.get('d')
  const label = params.get('label')
  document.title = label || 'figure'
  const details = { 'view (v)': v, 'data (d)': d, label }
  const runnerOrigin = window.location.origin
  // The page is <runner>/f: its folder is the runner's base, which a proxy may put under a path prefix.
  const runnerBase = runnerBaseUrl(window.location.href)
  if (!staticCopy) dropTokenFromQuery()
  // Where sha1:// files are read: the runner, or the folder of a static copy.
  const dataBase = staticCopy?.baseUrl ?? runnerBase
  // Read (and strip from the address bar) before anything else, so the token never reaches the view's URL.
  const auth = new RunnerAuth(runnerOrigin, staticCopy ? undefined : loadRunnerToken())
  const serviceBaseUrl = params.get('sh') || runnerBase

  if (!d) {
    showErrorPage(root, 'This figure URL has no data', 'The address is missing its d= parameter (the URI of the figure data).', details)
    return
  }
  const view = staticCopy ? { url: `${dataBase}/viewer/index.html` } : resolveViewAddress(v, runnerBase)
  if ('error' in view) {
    showErrorPage(root, 'This figure needs a view that is not available here', view.error, details)
    return
  }
  let figureDataUrl: string
  try {
    figureDataUrl = urlForDataUri(d, dataBase)
  } catch (err) {
    showErrorPage(root, 'This figure URL is malformed', err instanceof FigureUriError ? err.message : errorText(err), details)
    return
  }

  // Load the figure document before opening the view, so a dead link gets a readable page.
  showLoading(root, `Loading ${label || 'figure'}…`)
  let figureData: unknown
  try {
    figureData = parseJsonBytes(await fetchBytes(figureDataUrl, undefined, undefined, auth), `The figure data ${d}`)
  } catch (err) {
    const missing = err instanceof HttpError && err.status === 404
    showErrorPage(
      root,
      missing ? 'The figure data was not found' : 'The figure data could not be loaded',
      missing ? `The server does not have ${d}. It may have been made on another machine or deleted.` : errorText(err),
      details,
    )
    return
  }

  let urlState = parseUrlState(staticCopy ? '?' + params.toString() : window.location.search)
  const stateString = Object.keys(urlState).length > 0 ? sortedJson(urlState) : undefined
  const figureId = randomId()
  const viewUrl = new URL(view.url, window.location.href)
  viewUrl.searchParams.set('parentOrigin', runnerOrigin)
  viewUrl.searchParams.set('figureId', figureId)
  if (stateString) viewUrl.searchParams.set('s', stateString)
  const viewOrigin = viewUrl.origin

  const iframe = document.createElement('iframe')
  iframe.className = 'figure-iframe'
  iframe.title = label || 'figure'
  // The curation panel's "Copy" button writes the saved URI to the clipboard from inside the frame.
  iframe.allow = 'clipboard-write'
  iframe.src = viewUrl.toString()
  root.replaceChildren(iframe)

  const post = (msg: HostToViewMessage): void => {
    // A binary payload (a compute reply's traces, a binary file such as an amplitude chunk) is handed over, not copied.
    let payload: ArrayBuffer | undefined
    if (msg.type === 'figurlResponse' && msg.response.type === 'serviceQuery') payload = msg.response.binaryPayload
    if (msg.type === 'figurlResponse' && msg.response.type === 'getFileData' && msg.response.fileData instanceof ArrayBuffer) {
      payload = msg.response.fileData
    }
    iframe.contentWindow?.postMessage(msg, { targetOrigin: viewOrigin, transfer: payload ? [payload] : [] })
  }

  // The view cannot know when it is ready to be told who we are, so keep telling it until it speaks.
  let viewHasSpoken = false
  const initTimer = window.setInterval(() => {
    if (viewHasSpoken) return
    iframe.contentWindow?.postMessage({ type: 'initializeFigure', parentOrigin: runnerOrigin, figureId, s: stateString }, '*')
  }, INITIALIZE_INTERVAL_MS)

  const handle = async (request: FigurlRequest): Promise<FigurlResponse> => {
    switch (request.type) {
      case 'getFigureData':
        return {
          type: 'getFigureData',
          figureData: request.figurlProtocolVersion === 'p1' ? figureData : await decodeNdarraysNested(figureData),
        }
      case 'getFileData':
        return getFileData(
          request,
          dataBase,
          (loaded, total) => post({ type: 'fileDownloadProgress', uri: request.uri, loaded, total }),
          auth,
        )
      case 'getFileDataUrl':
        return getFileDataUrl(request.uri, dataBase)
      case 'storeFile':
        return staticCopy ? { type: 'storeFile', error: NO_RUNNER_MESSAGE } : storeFile(request, runnerBase, auth)
      case 'setUrlState': {
        urlState = request.state
        window.history.replaceState(window.history.state, '', withUrlState(window.location.search, urlState))
        queueMicrotask(() => post({ type: 'reportUrlStateChange', state: urlState }))
        return { type: 'setUrlState' }
      }
      case 'serviceQuery':
        // 503 is "no compute here" to the view, which then words it as such (and keeps curation in the URL).
        if (staticCopy && !params.get('sh')) return { type: 'serviceQuery', errorMessage: NO_RUNNER_MESSAGE, status: 503 }
        return serviceQuery(request, serviceBaseUrl, auth)
    }
  }

  window.addEventListener('message', (e: MessageEvent) => {
    if (e.source !== iframe.contentWindow) return
    const msg = parseMessageData(e.data)
    if (!msg || msg.figureId !== figureId) return
    if (!viewHasSpoken) {
      viewHasSpoken = true
      window.clearInterval(initTimer)
    }
    if (!isFigurlRequestMessage(msg)) return
    const { requestId, request } = msg
    handle(request)
      // Every response type carries errorMessage or error; answer in the request's own type.
      .catch((err: unknown) => ({ type: request.type, errorMessage: errorText(err), error: errorText(err) }) as FigurlResponse)
      .then((response) => post({ type: 'figurlResponse', requestId, response }))
  })
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

void main()
