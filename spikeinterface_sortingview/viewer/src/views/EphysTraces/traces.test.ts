import { describe, expect, it } from 'vitest'
import type { PixelBuffer } from '../../draw/canvas'
import { NdArray } from '../../protocol/ndarray'
import { channelStats, channelsTopToBottom, PEAK_PER_ROW, unitsPerRow } from './channelLayout'
import { drawTracesWindow, type TracesLayout } from './drawTraces'
import { bandpassFor, frameWindow } from './TracesPlot'
import { channelScale, parseRecordingInfo, parseSpikesReply, parseTracesReply, rowFrames, tracesRequest } from './tracesTasks'

/** A traces_window.1 reply: header plus rows x channels, float32 unless the header says int16. */
function tracesReply(rows: number[][], header: Record<string, unknown>) {
  const data = header.dtype === 'int16' ? Int16Array.from(rows.flat()) : Float32Array.from(rows.flat())
  return {
    result: { numChannels: rows[0]?.length ?? 0, numSamples: rows.length, segmentIndex: 0, samplingFrequency: 1000, dataUnits: 'uV', ...header },
    payload: data.buffer,
  }
}

describe('traces replies', () => {
  it('decodes the float32 payload as samples x channels', () => {
    const w = parseTracesReply(tracesReply([[1, 2], [3, 4], [5, 6]], { startFrame: 10, endFrame: 13, decimation: 1, minMax: false, channelIds: [0, 1] }))
    expect(w.channelIds).toEqual(['0', '1'])
    expect(Array.from(w.data)).toEqual([1, 2, 3, 4, 5, 6])
    expect(rowFrames(w, 2)).toEqual([12, 13])
  })

  it('reads min/max rows as bins of `decimation` frames', () => {
    const w = parseTracesReply(tracesReply([[-1], [1], [-2], [2]], { startFrame: 100, endFrame: 107, decimation: 4, minMax: true, channelIds: ['a'] }))
    expect(rowFrames(w, 1)).toEqual([100, 104])
    expect(rowFrames(w, 2)).toEqual([104, 107])
  })

  it('reads raw int16 values with their per-channel gains and offsets', () => {
    const header = { startFrame: 0, endFrame: 2, decimation: 1, minMax: false, channelIds: [0, 1], dtype: 'int16', gains: [0.5, 2], offsets: [10, 0] }
    const w = parseTracesReply(tracesReply([[100, -3], [-100, 7]], header))
    expect(w.data).toBeInstanceOf(Int16Array)
    expect(Array.from(w.data)).toEqual([100, -3, -100, 7])
    expect(channelScale(w, 0)).toEqual([0.5, 10])
    expect(channelScale(w, 1)).toEqual([2, 0])
    // the byte count follows the dtype, and the gains must cover every channel
    const asFloat = tracesReply([[1, 2], [3, 4]], { ...header, dtype: 'float32' })
    expect(() => parseTracesReply({ ...asFloat, result: { ...asFloat.result, dtype: 'int16' } })).toThrow(/16 bytes; 2 x 2 int16 values need 8/)
    expect(() => parseTracesReply(tracesReply([[1, 2]], { ...header, gains: [1] }))).toThrow(/1 gains for 2 channels/)
    expect(() => parseTracesReply(tracesReply([[1, 2]], { ...header, dtype: 'float64' }))).toThrow(/unknown dtype/)
  })

  it('rejects a payload that does not match the header', () => {
    const r = tracesReply([[1, 2]], { startFrame: 0, endFrame: 1, decimation: 1, minMax: false, channelIds: [0, 1] })
    expect(() => parseTracesReply({ ...r, result: { ...r.result, numSamples: 2 } })).toThrow(/payload/)
    expect(() => parseTracesReply({ ...r, result: { ...r.result, channelIds: [0] } })).toThrow(/channel ids/)
  })

  it('reads spikes and recording info', () => {
    const s = parseSpikesReply({
      result: {
        unitIds: [4, 9],
        spikeFrames: new NdArray(new Int32Array([5, 8]), [2]),
        spikeUnitIndices: new NdArray(new Int32Array([1, 0]), [2]),
        startFrame: 0,
        endFrame: 10,
        segmentIndex: 0,
      },
    })
    expect(s.unitIds[s.spikeUnitIndices[0] as number]).toBe(9)
    const info = parseRecordingInfo({
      result: { samplingFrequency: 30000, numChannels: 2, channelIds: [0, 1], channelLocations: { '0': [0, 0], '1': [0, 20] }, numSegments: 1, numSamples: [300000], durationSec: [10], dtype: 'int16', dataUnits: 'uV' },
    })
    expect(info.channelLocations.get('1')).toEqual([0, 20])
  })

  it('asks for a window in frames, at most the plot width of points, with an optional band-pass under Nyquist', () => {
    const w = frameWindow({ start: 0.5, end: 1.5 }, 0, 30000, 40000)
    expect(w).toEqual({ segmentIndex: 0, startFrame: 15000, endFrame: 40000 })
    const r = tracesRequest('sha1://x', w, 1200, bandpassFor(10000))
    expect(r.taskInput).toMatchObject({ start_frame: 15000, end_frame: 40000, max_points: 1200, bandpass: { freq_min: 300, freq_max: 4500 } })
  })
})

describe('channel layout', () => {
  it('takes a decimated trace height from its min..max bins', () => {
    const w = parseTracesReply(tracesReply([[-1], [1], [-3], [3], [-2], [2]], { startFrame: 0, endFrame: 30, decimation: 10, minMax: true, channelIds: ['a'] }))
    expect(channelStats(w).spread).toBe(4)
    // Raw int16 bins with a negative gain: the same heights, in data units.
    const raw = parseTracesReply(
      tracesReply([[-2], [2], [-6], [6], [-4], [4]], { startFrame: 0, endFrame: 30, decimation: 10, minMax: true, channelIds: ['a'], dtype: 'int16', gains: [-0.5] }),
    )
    expect(channelStats(raw).spread).toBe(4)
  })

  it('stacks channels by depth, top of the probe first, unknown locations last', () => {
    const loc = new Map<string, [number, number]>([['a', [0, 0]], ['b', [16, 40]], ['c', [0, 40]], ['d', [0, 20]]])
    expect(channelsTopToBottom(['a', 'b', 'c', 'd', 'e'], loc)).toEqual(['c', 'b', 'd', 'a', 'e'])
  })

  it('finds each channel baseline and how tall its trace typically is', () => {
    // A ramp around an offset: median = the offset, median absolute deviation = a quarter of the range.
    const rows = Array.from({ length: 101 }, (_, i) => [1000 + (i - 50), -50 + 3 * (i - 50)])
    const w = parseTracesReply(tracesReply(rows, { startFrame: 0, endFrame: 101, decimation: 1, minMax: false, channelIds: [0, 1] }))
    const stats = channelStats(w)
    expect(Array.from(stats.medians)).toEqual([1000, -50])
    expect(stats.spread).toBeCloseTo((4 * 75) / 0.6745, 3)
  })

  it('keeps spikes inside their channel row by default: the largest excursions set the scale over the noise', () => {
    // Noise of +-1 around 0 on 10 channels, and a -60 spike on each: drawn at noise scale (0.4 of a row for
    // a noise band 4 tall) it would reach 6 rows down; the default scale keeps it within PEAK_PER_ROW of a row.
    const rows = Array.from({ length: 200 }, (_, i) => Array.from({ length: 10 }, () => (i === 100 ? -60 : i % 2 ? 1 : -1)))
    const stats = channelStats(parseTracesReply(tracesReply(rows, { startFrame: 0, endFrame: 200, decimation: 1, minMax: false, channelIds: [...Array(10).keys()] })))
    expect(stats.peak).toBeCloseTo(60, 3)
    const perRow = unitsPerRow(stats, 0.4)
    expect(stats.peak / perRow).toBeCloseTo(PEAK_PER_ROW, 6)
    // Without spikes, the noise decides as before.
    expect(unitsPerRow({ ...stats, peak: 0 }, 0.4)).toBeCloseTo(stats.spread / 0.4, 6)
  })
})

describe('drawing traces', () => {
  const layout = (numRows: number): TracesLayout => ({
    plot: { left: 0, top: 0, width: 10, height: 20 * numRows },
    t0: 0,
    t1: 0.01, // 10 frames at 1 kHz over 10 px: one pixel per frame
    rowOf: new Map([['a', 0], ['b', 1]]),
    numRows,
    pxPerUnit: 1,
    dpr: 1,
  })
  const recorder = () => {
    const rects: number[][] = []
    return { rects, buf: { fillRect: (x: number, y: number, w: number, h: number) => rects.push([x, y, w, h]) } as unknown as PixelBuffer }
  }

  it('draws each min/max bin as a vertical span around the channel row centre', () => {
    const w = parseTracesReply(tracesReply([[-5, 0], [5, 0], [-2, 0], [2, 0]], { startFrame: 0, endFrame: 10, decimation: 5, minMax: true, channelIds: ['a', 'b'] }))
    const { rects, buf } = recorder()
    drawTracesWindow(buf, layout(2), w, new Float32Array([0, 0]), [1])
    // Channel a (row 0, centre y = 10): bin 0 covers x 0..5 and y 5..15; channel b is flat at y = 30.
    expect(rects[0]).toEqual([0, 5, 5, 11])
    expect(rects[1]).toEqual([5, 8, 5, 5])
    expect(rects.filter((r) => r[1] === 30)).toHaveLength(2)
  })

  it('scales raw values by the channel gain, a negative gain included', () => {
    // The first test's bins as raw int16 with gain -0.5 (the raw minimum is the scaled maximum): the same spans.
    const header = { startFrame: 0, endFrame: 10, decimation: 5, minMax: true, channelIds: ['a', 'b'], dtype: 'int16', gains: [-0.5, 1] }
    const w = parseTracesReply(tracesReply([[-10, 0], [10, 0], [-4, 0], [4, 0]], header))
    const { rects, buf } = recorder()
    drawTracesWindow(buf, layout(2), w, new Float32Array([0, 0]), [1])
    expect(rects[0]).toEqual([0, 5, 5, 11])
    expect(rects[1]).toEqual([5, 8, 5, 5])
  })

  it('joins samples with lines, one span per pixel column, and skips channels not shown', () => {
    const w = parseTracesReply(tracesReply([[0, 0, 9], [4, 0, 9]], { startFrame: 0, endFrame: 2, decimation: 1, minMax: false, channelIds: ['a', 'b', 'z'] }))
    const { rects, buf } = recorder()
    drawTracesWindow(buf, { ...layout(2), t1: 0.002, plot: { left: 0, top: 0, width: 4, height: 40 } }, w, new Float32Array(3), [1])
    const a = rects.filter((r) => (r[1] as number) < 20)
    // Channel a rises 4 units (4 px) from y 10 to y 6 over two pixel columns; the column of the second
    // sample is drawn too, so a following segment joins without a gap.
    expect(a.map((r) => r[0])).toEqual([0, 1, 2])
    expect(a[0]).toEqual([0, 8, 1, 3])
    expect(a[2]).toEqual([2, 6, 1, 1])
    expect(rects.every((r) => (r[1] as number) < 40)).toBe(true)
  })
})
