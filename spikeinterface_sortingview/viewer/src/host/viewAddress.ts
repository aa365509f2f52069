// Resolves the figURL's view address (v) to the URL loaded in the iframe.

/** Our bundled view renders sortingview figures, so those npm addresses map to it. */
export const BUNDLED_VIEW_PATH = '/viewer/index.html'
const SORTINGVIEW_PACKAGE = 'npm://@fi-sci/figurl-sortingview@'

export type ViewAddress = { url: string } | { error: string }

export function resolveViewAddress(v: string | null, runnerOrigin: string): ViewAddress {
  if (!v) return { url: runnerOrigin + BUNDLED_VIEW_PATH }
  if (v.startsWith(SORTINGVIEW_PACKAGE)) return { url: runnerOrigin + BUNDLED_VIEW_PATH }
  if (v.startsWith('http://') || v.startsWith('https://')) {
    return { url: v.endsWith('.html') ? v : v.replace(/\/+$/, '') + '/index.html' }
  }
  if (v.startsWith('npm://') || v.startsWith('gs://')) {
    return {
      error:
        `The figure asks for the view ${v}, which must be downloaded from the network. ` +
        'This local server has no network access and only bundles the sortingview view ' +
        `(${SORTINGVIEW_PACKAGE}...).`,
    }
  }
  return { error: `Unrecognized view address: ${v}` }
}
