// Resolves the figURL's view address (v) to the URL loaded in the iframe.

/** Our bundled view renders sortingview figures, so those npm addresses map to it (under the runner's base). */
export const BUNDLED_VIEW_PATH = '/viewer/index.html'
const SORTINGVIEW_PACKAGE = 'npm://@fi-sci/figurl-sortingview@'

export type ViewAddress = { url: string } | { error: string }

/**
 * `runnerBase` is where the runner is reached, without a trailing slash: its origin, or the origin and the
 * path prefix a proxy serves it under (`https://hub/user/alice/proxy/8931`).
 */
export function resolveViewAddress(v: string | null, runnerBase: string): ViewAddress {
  if (!v) return { url: runnerBase + BUNDLED_VIEW_PATH }
  if (v.startsWith(SORTINGVIEW_PACKAGE)) return { url: runnerBase + BUNDLED_VIEW_PATH }
  if (v.startsWith('http://') || v.startsWith('https://')) return { url: viewPage(v) }
  // A path on this page's server: a notebook shows figures through a proxy whose host only the browser knows.
  if (v.startsWith('/') && !v.startsWith('//')) return { url: new URL(viewPage(v), runnerBase).href }
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

function viewPage(v: string): string {
  return v.endsWith('.html') ? v : v.replace(/\/+$/, '') + '/index.html'
}

/** The runner's base URL for a host page at `<base>/f`: the page's folder, without a trailing slash. */
export function runnerBaseUrl(pageUrl: string): string {
  return new URL('.', pageUrl).href.replace(/\/+$/, '')
}
