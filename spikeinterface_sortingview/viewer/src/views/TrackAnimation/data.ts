// TrackAnimation's data: the track's bins, the animal's position per frame and the decoded position per frame.
import { isRecord } from '../../protocol/messages'
import { matrix, num, numbers, optNum, optNumbers, type Numbers, rec, ViewDataError } from '../decode'
import { sparseFrames, type SparseFrames } from '../DecodedLinearPositionData/sparseFrames'

// sortingview's reader replays at 60 frames per second when a figure gives no rate.
const DEFAULT_FRAMES_PER_SECOND = 60

export interface DecodedGrid {
  frames: SparseFrames
  xmin: number
  ymin: number
  binWidth: number
  binHeight: number
  xcount: number
}

export interface TrackAnimationData {
  binWidth: number
  binHeight: number
  /** Upper-left corner of each track bin (y up: a bin spans [x, x + width] by [y - height, y]) */
  cornerX: Numbers
  cornerY: Numbers
  /** Frame times as written (relative to timestampStart) */
  timestamps: Numbers
  timestampStart: number
  x: Numbers
  y: Numbers
  headDirection?: Numbers
  decoded?: DecodedGrid
  xmin: number
  xmax: number
  ymin: number
  ymax: number
  /** Frames per second of the recording (the real-time replay rate) */
  framesPerSecond: number
  /** Timestamps rise frame after frame, so playback can follow them */
  timestampsAscending: boolean
}

/** Two rows (x and y) of a (2, N) array; a (N, 2) array is read as its transpose. */
function xyRows(x: unknown, path: string): [Numbers, Numbers] {
  const m = matrix(x, path)
  if (m.rows === 2) return [m.data.slice(0, m.cols), m.data.slice(m.cols, 2 * m.cols)]
  if (m.cols === 2) {
    const xs = new Float32Array(m.rows)
    const ys = new Float32Array(m.rows)
    for (let i = 0; i < m.rows; i++) {
      xs[i] = m.data[2 * i] as number
      ys[i] = m.data[2 * i + 1] as number
    }
    return [xs, ys]
  }
  throw new ViewDataError(`${path} should be shaped (2, N): an x row and a y row; found (${m.rows}, ${m.cols})`)
}

function decodeGrid(raw: unknown): DecodedGrid | undefined {
  if (!isRecord(raw)) return undefined
  // sortingview accepts an empty decodedData object (no frames); there is nothing to draw then.
  if (raw.values === undefined && raw.locations === undefined && raw.frameBounds === undefined) return undefined
  const d = rec(raw, 'decodedData')
  const xcount = num(d.xcount, 'decodedData.xcount')
  if (!(xcount > 0)) throw new ViewDataError('decodedData.xcount should be positive')
  return {
    frames: sparseFrames(numbers(d.values, 'decodedData.values'), numbers(d.locations, 'decodedData.locations'), numbers(d.frameBounds, 'decodedData.frameBounds'), 'decodedData'),
    xmin: num(d.xmin, 'decodedData.xmin'),
    ymin: num(d.ymin, 'decodedData.ymin'),
    binWidth: num(d.binWidth, 'decodedData.binWidth'),
    binHeight: num(d.binHeight, 'decodedData.binHeight'),
    xcount,
  }
}

export function decodeTrackAnimation(raw: Record<string, unknown>): TrackAnimationData {
  const [cornerX, cornerY] = xyRows(raw.trackBinULCorners, 'trackBinULCorners')
  const timestamps = numbers(raw.timestamps, 'timestamps')
  const [x, y] = xyRows(raw.positions, 'positions')
  if (x.length !== timestamps.length) throw new ViewDataError(`positions has ${x.length} frames but there are ${timestamps.length} timestamps`)
  const headDirection = optNumbers(raw.headDirection, 'headDirection')
  if (headDirection && headDirection.length > 0 && headDirection.length !== timestamps.length) {
    throw new ViewDataError(`headDirection has ${headDirection.length} entries but there are ${timestamps.length} timestamps`)
  }
  const decoded = decodeGrid(raw.decodedData)
  if (decoded && decoded.frames.numFrames !== timestamps.length) {
    throw new ViewDataError(`decodedData has ${decoded.frames.numFrames} frames but there are ${timestamps.length} timestamps`)
  }
  const xmin = num(raw.xmin, 'xmin')
  const xmax = num(raw.xmax, 'xmax')
  const ymin = num(raw.ymin, 'ymin')
  const ymax = num(raw.ymax, 'ymax')
  if (!(xmax > xmin && ymax > ymin)) throw new ViewDataError(`the area to show is empty: x ${xmin}..${xmax}, y ${ymin}..${ymax}`)
  // Older figures give the replay rate as milliseconds per frame.
  const msPerFrame = optNum(raw.realTimeReplayRateMs)
  const fps = optNum(raw.samplingFrequencyHz) ?? (msPerFrame && msPerFrame > 0 ? 1000 / msPerFrame : undefined)
  let ascending = timestamps.length > 1
  for (let i = 1; i < timestamps.length && ascending; i++) ascending = (timestamps[i] as number) > (timestamps[i - 1] as number)
  const data: TrackAnimationData = {
    binWidth: num(raw.trackBinWidth, 'trackBinWidth'),
    binHeight: num(raw.trackBinHeight, 'trackBinHeight'),
    cornerX,
    cornerY,
    timestamps,
    timestampStart: optNum(raw.timestampStart) ?? 0,
    x,
    y,
    xmin,
    xmax,
    ymin,
    ymax,
    framesPerSecond: fps !== undefined && fps > 0 ? fps : DEFAULT_FRAMES_PER_SECOND,
    timestampsAscending: ascending,
  }
  if (headDirection && headDirection.length > 0) data.headDirection = headDirection
  if (decoded) data.decoded = decoded
  return data
}

/** The decoded bins of one frame: grid centre and value (0..255) of each, and the frame's largest value. */
export function decodedFrame(grid: DecodedGrid, frame: number): { cx: Float64Array; cy: Float64Array; values: Uint8Array; peak: number } {
  const { frames, xcount } = grid
  if (frame < 0 || frame >= frames.numFrames) return { cx: new Float64Array(0), cy: new Float64Array(0), values: new Uint8Array(0), peak: 0 }
  const i0 = frames.starts[frame] as number
  const n = (frames.starts[frame + 1] as number) - i0
  const cx = new Float64Array(n)
  const cy = new Float64Array(n)
  const values = new Uint8Array(n)
  let peak = 0
  for (let k = 0; k < n; k++) {
    const loc = frames.bins[i0 + k] as number
    cx[k] = grid.xmin + (loc % xcount) * grid.binWidth
    cy[k] = grid.ymin + Math.floor(loc / xcount) * grid.binHeight
    const v = frames.values[i0 + k] as number
    values[k] = v
    if (v > peak) peak = v
  }
  return { cx, cy, values, peak }
}
