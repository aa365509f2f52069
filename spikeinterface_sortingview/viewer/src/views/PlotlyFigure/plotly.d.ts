// plotly.js's dist bundle is served as a file of its own (see loadPlotly.ts); these are the parts of its API
// the PlotlyFigure view uses.
declare module 'plotly.js-dist-min/plotly.min.js?url' {
  const url: string
  export default url
}

interface PlotlyFigureSpec {
  data: unknown[]
  layout: Record<string, unknown>
  frames?: unknown[]
  config?: Record<string, unknown>
}

interface PlotlyApi {
  react(root: HTMLElement, figure: PlotlyFigureSpec): Promise<HTMLElement>
  purge(root: HTMLElement): void
}
