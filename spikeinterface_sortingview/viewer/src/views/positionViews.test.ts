import { describe, expect, it } from 'vitest'
import { NdArray } from '../protocol/ndarray'
import { decodeDecodedLinearPositionData } from './DecodedLinearPositionData/DecodedLinearPositionData'
import { binEdges, columnMaxima, frameAtTime, sparseFrames } from './DecodedLinearPositionData/sparseFrames'
import { plainArrays, decodePlotlyFigure } from './PlotlyFigure/plotlyFigureData'
import { decodedFrame, decodeTrackAnimation } from './TrackAnimation/data'

// Three frames over 4 position bins: frame 0 has bins 1 and 2, frame 1 nothing, frame 2 bin 3.
const linear = {
  values: new Uint8Array([100, 155, 255]),
  positions: new Uint16Array([1, 2, 3]),
  frameBounds: new Uint8Array([2, 0, 1]),
  positionsKey: new Float32Array([5, 15, 25, 35]),
  startTimeSec: 10,
  samplingFrequencyHz: 2,
}

describe('decoded position (sparse frames)', () => {
  it('reads values frame by frame through frameBounds', () => {
    const d = decodeDecodedLinearPositionData(linear)
    expect(Array.from(d.frames.starts)).toEqual([0, 2, 2, 3])
    expect(d.frames.numFrames).toBe(3)
    expect(d.startTimeSec).toBe(10)
    expect(Array.from(d.edges)).toEqual([0, 10, 20, 30, 40])
  })

  it('assumes 1000 frames per second when the figure gives no (or a null) rate', () => {
    expect(decodeDecodedLinearPositionData({ ...linear, samplingFrequencyHz: null }).samplingFrequencyHz).toBe(1000)
  })

  it('refuses frameBounds that do not account for the values', () => {
    expect(() => decodeDecodedLinearPositionData({ ...linear, frameBounds: [2, 0, 2] })).toThrow(/add up to 4 entries but there are 3 values/)
    expect(() => decodeDecodedLinearPositionData({ ...linear, observedPositions: [1, 2] })).toThrow(/observedPositions has 2/)
  })

  it('keeps the largest value of each bin over the frames of a column', () => {
    const f = sparseFrames(new Uint8Array([10, 50, 30, 7]), new Uint8Array([0, 1, 1, 0]), new Uint8Array([2, 1, 1]), 'x')
    // Two frames per column: column 0 = frames 0-1, column 1 = frame 2.
    expect(Array.from(columnMaxima(f, 2, 0, 2, 2))).toEqual([10, 50, 7, 0])
    // One column per frame, starting at frame 1.
    expect(Array.from(columnMaxima(f, 2, 1, 1, 2))).toEqual([0, 30, 7, 0])
  })

  it('makes bin edges halfway between centres', () => {
    expect(Array.from(binEdges([1, 3, 7]))).toEqual([0, 2, 5, 9])
    expect(Array.from(binEdges([4]))).toEqual([3.5, 4.5])
  })

  it('finds the frame shown at a time', () => {
    const t = new Float32Array([0, 0.5, 1, 1.5])
    expect(frameAtTime(t, -1)).toBe(0)
    expect(frameAtTime(t, 0.49)).toBe(0)
    expect(frameAtTime(t, 0.5)).toBe(1)
    expect(frameAtTime(t, 99)).toBe(3)
  })
})

describe('TrackAnimation data', () => {
  const raw = {
    trackBinWidth: 2,
    trackBinHeight: 2,
    trackBinULCorners: new NdArray(new Float32Array([0, 2, 4, 2, 2, 2]), [2, 3]),
    totalRecordingFrameLength: 2,
    timestamps: new Float32Array([0, 0.5]),
    positions: new NdArray(new Float32Array([1, 3, 1, 1]), [2, 2]),
    xmin: 0,
    xmax: 6,
    ymin: 0,
    ymax: 2,
    decodedData: {
      type: 'DecodedPositionData',
      xmin: 1,
      binWidth: 2,
      xcount: 3,
      ymin: 1,
      binHeight: 2,
      ycount: 1,
      values: new Uint8Array([200, 55, 255]),
      locations: new Uint16Array([0, 2, 1]),
      frameBounds: new Uint8Array([2, 1]),
    },
  }

  it('reads positions as an x row and a y row, and defaults to 60 frames per second', () => {
    const d = decodeTrackAnimation(raw)
    expect(Array.from(d.x)).toEqual([1, 3])
    expect(Array.from(d.cornerY)).toEqual([2, 2, 2])
    expect(d.framesPerSecond).toBe(60)
    expect(d.timestampsAscending).toBe(true)
  })

  it('places each decoded location (i + xcount * j) at its bin centre', () => {
    const d = decodeTrackAnimation(raw)
    const f0 = decodedFrame(d.decoded!, 0)
    expect(Array.from(f0.cx)).toEqual([1, 5])
    expect(Array.from(f0.cy)).toEqual([1, 1])
    expect(f0.peak).toBe(200)
    expect(Array.from(decodedFrame(d.decoded!, 1).cx)).toEqual([3])
  })

  it('takes an older figure\'s replay rate in milliseconds per frame', () => {
    expect(decodeTrackAnimation({ ...raw, realTimeReplayRateMs: 20 }).framesPerSecond).toBe(50)
  })

  it('reads arrays given as JSON lists and int16 values, as sortingview pipelines may write them', () => {
    const d = decodeTrackAnimation({
      ...raw,
      trackBinULCorners: [
        [0, 2, 4],
        [2, 2, 2],
      ],
      positions: [
        [1, 3],
        [1, 1],
      ],
      decodedData: { ...raw.decodedData, values: new Int16Array([200, 55, 255]) },
      samplingFrequencyHz: 30,
    })
    expect(Array.from(d.cornerX)).toEqual([0, 2, 4])
    expect(Array.from(d.x)).toEqual([1, 3])
    expect(d.framesPerSecond).toBe(30)
    expect(decodedFrame(d.decoded!, 0).peak).toBe(200)
  })

  it('refuses decoded data with another number of frames than timestamps', () => {
    expect(() => decodeTrackAnimation({ ...raw, decodedData: { ...raw.decodedData, frameBounds: new Uint8Array([3]) } })).toThrow(/1 frames but there are 2 timestamps/)
  })
})

describe('PlotlyFigure data', () => {
  it('turns ndarrays back into nested plain arrays', () => {
    const z = new NdArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3])
    expect(plainArrays({ z, x: new NdArray(new Int32Array([7, 8]), [2]) })).toEqual({ z: [[1, 2, 3], [4, 5, 6]], x: [7, 8] })
  })

  it('reads the title and refuses a fig without traces list', () => {
    const d = decodePlotlyFigure({ fig: { data: [{ type: 'bar', y: [1] }], layout: { title: { text: 'T' } } } })
    expect(d.title).toBe('T')
    expect(() => decodePlotlyFigure({ fig: { data: 3 } })).toThrow(/list of traces/)
  })
})
