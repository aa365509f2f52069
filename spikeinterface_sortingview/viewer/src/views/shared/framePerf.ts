// Records draw durations of the heavy plots so performance can be measured from a browser test.

interface PerfLog {
  draws: { view: string; ms: number; at: number }[]
}

declare global {
  interface Window {
    __svPerf?: PerfLog
  }
}

/** Cheap when nobody listens: only logs after a test sets window.__svPerf = {draws: []}. */
export function recordFrame(view: string, ms: number): void {
  const log = window.__svPerf
  if (log) log.draws.push({ view, ms, at: performance.now() })
}

/** Whether a test listens (so that naming a draw, which may read the DOM, is done only then). */
export function perfListening(): boolean {
  return window.__svPerf !== undefined
}
