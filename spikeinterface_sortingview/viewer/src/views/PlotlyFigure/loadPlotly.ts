// Loads plotly.js on first use. The minified dist bundle (4.7 MB) is copied into dist/assets as it is, not
// bundled: bundling re-minified it and made every viewer build 100 s slower, and figures without a plotly view
// never download it.
import plotlyAssetUrl from 'plotly.js-dist-min/plotly.min.js?url'

let loading: Promise<PlotlyApi> | undefined

/** Where the bundle is: beside this chunk in assets/ (so dist/ works from any folder), or as the dev server says. */
function plotlyScriptUrl(): string {
  if (!plotlyAssetUrl.includes('/assets/')) return plotlyAssetUrl
  return new URL(plotlyAssetUrl.slice(plotlyAssetUrl.lastIndexOf('/') + 1), import.meta.url).href
}

export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= new Promise<PlotlyApi>((resolve, reject) => {
    const script = document.createElement('script')
    script.src = plotlyScriptUrl()
    script.async = true
    script.onload = () => {
      // The bundle is UMD: run as a plain script it leaves its API on a global.
      const globals = window as unknown as Record<string, unknown>
      const api = (globals.Plotly ?? globals.moduleName) as PlotlyApi | undefined
      if (api && typeof api.react === 'function') resolve(api)
      else reject(new Error(`${script.src} did not define plotly`))
    }
    script.onerror = () => reject(new Error(`${script.src} could not be loaded`))
    document.head.appendChild(script)
  })
  loading.catch(() => {
    loading = undefined // a later view may try again
  })
  return loading
}
