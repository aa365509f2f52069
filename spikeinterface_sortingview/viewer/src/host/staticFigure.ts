// A static copy of a figure (`sv-runner export`): the page names its figure in a <meta> tag and finds its
// files and the view relative to its own address, so the folder works under any path of any static host.
// There is no runner: no compute, no curation journal, nowhere to Save; the page says so where they are used.

export const STATIC_META_NAME = 'sortingview-static-figure'

export const NO_RUNNER_MESSAGE =
  'This is a static copy of the figure, with no runner: live computations, Save and the curation journal need ' +
  'one (open the figure from sv-runner for them). The curation is kept in the page address, and Export JSON downloads it.'

export interface StaticFigure {
  /** The figure's parameters (d, label, s): the exported ones, with the address bar's own winning. */
  params: URLSearchParams
  /** The folder of the page, without a trailing slash: files are `<base>/sha1/<hash>`, the view `<base>/viewer/`. */
  baseUrl: string
}

/** Reads the static figure of a page whose `<meta name=sortingview-static-figure>` holds `metaContent`. */
export function staticFigure(metaContent: string, pageUrl: string): StaticFigure {
  const params = new URLSearchParams(metaContent)
  // s= written by setUrlState (the curation) is in the address bar; it wins over the exported state.
  for (const [key, value] of new URL(pageUrl).searchParams) params.set(key, value)
  const baseUrl = new URL('.', pageUrl).href.replace(/\/+$/, '')
  return { params, baseUrl }
}

/** The page's static figure, or undefined for a host page served by a runner. */
export function readStaticFigure(doc: Document, pageUrl: string): StaticFigure | undefined {
  const meta = doc.querySelector(`meta[name="${STATIC_META_NAME}"]`)
  const content = meta?.getAttribute('content')
  return content ? staticFigure(content, pageUrl) : undefined
}
