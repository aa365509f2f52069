// The runner tasks behind the traces view and their replies: recording info, a window of traces (raw values
// in the recording's dtype with per-channel gains, min/max-decimated to the plot's width) and the spikes in it.
import type { TaskReply } from '../../compute/computeClient'
import type { TaskRequest } from '../../compute/useTask'
import { isRecord } from '../../protocol/messages'
import { isUnitId, type UnitId } from '../../state/units'
import { channelLocations, type ChannelLocations, list, numbers, type Numbers } from '../decode'

export const RECORDING_INFO_TASK = 'sortingview.recording_info.1'
export const TRACES_WINDOW_TASK = 'sortingview.traces_window.1'
export const SPIKES_WINDOW_TASK = 'sortingview.spikes_window.1'

export interface RecordingInfo {
  samplingFrequency: number
  channelIds: string[]
  channelLocations: ChannelLocations
  numSegments: number
  numSamples: number[]
  dataUnits: string
}

function num(x: unknown, path: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${path} should be a number`)
  return x
}

export function parseRecordingInfo(reply: TaskReply): RecordingInfo {
  const r = reply.result
  if (!isRecord(r)) throw new Error('the recording info is not an object')
  const numSamples = list(r.numSamples, 'numSamples').map((n, i) => num(n, `numSamples[${i}]`))
  return {
    samplingFrequency: num(r.samplingFrequency, 'samplingFrequency'),
    channelIds: list(r.channelIds, 'channelIds').map(String),
    channelLocations: channelLocations(r.channelLocations, 'channelLocations'),
    numSegments: num(r.numSegments, 'numSegments'),
    numSamples,
    dataUnits: typeof r.dataUnits === 'string' ? r.dataUnits : 'raw',
  }
}

export interface Bandpass {
  freqMin: number
  freqMax: number
}

export interface FrameWindow {
  segmentIndex: number
  startFrame: number
  endFrame: number
}

/** `channelIds` (default all) picks the channels, in the order given. */
export function tracesRequest(
  recordingUri: string,
  w: FrameWindow,
  maxPoints: number,
  bandpass: Bandpass | undefined,
  channelIds?: readonly string[],
): TaskRequest {
  const taskInput: Record<string, unknown> = {
    recording_uri: recordingUri,
    segment_index: w.segmentIndex,
    start_frame: w.startFrame,
    end_frame: w.endFrame,
    max_points: maxPoints,
  }
  if (bandpass) taskInput.bandpass = { freq_min: bandpass.freqMin, freq_max: bandpass.freqMax }
  if (channelIds) taskInput.channel_ids = [...channelIds]
  return { taskName: TRACES_WINDOW_TASK, taskInput }
}

/** The typed arrays a traces payload may come in, by the header's `dtype`. */
export type TraceValues = Float32Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Uint8Array

const PAYLOAD_ARRAYS = {
  float32: Float32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  uint8: Uint8Array,
} as const

/**
 * A window of traces: `numSamples` rows of `numChannels` raw values (C order). The value of channel `c` in
 * `dataUnits` is `data[i] * gains[c] + offsets[c]` (see `channelScale`).
 */
export interface TracesWindow extends FrameWindow {
  samplingFrequency: number
  /** Frames per row pair when `minMax` (rows 2k and 2k+1 are the raw min and max of bin k); else 1 */
  decimation: number
  minMax: boolean
  channelIds: string[]
  numSamples: number
  numChannels: number
  data: TraceValues
  /** Per channel; null when every gain is 1 / every offset 0 */
  gains: Float32Array | null
  offsets: Float32Array | null
  dataUnits: string
}

/** Gain and offset of a window's channel `c`: a raw value `v` is `v * gain + offset` in `dataUnits`. */
export function channelScale(w: TracesWindow, c: number): [number, number] {
  return [w.gains ? (w.gains[c] as number) : 1, w.offsets ? (w.offsets[c] as number) : 0]
}

function perChannel(x: unknown, numChannels: number, path: string): Float32Array | null {
  if (x === null || x === undefined) return null
  const values = list(x, path).map((v, i) => num(v, `${path}[${i}]`))
  if (values.length !== numChannels) throw new Error(`the header has ${values.length} ${path} for ${numChannels} channels`)
  return Float32Array.from(values)
}

export function parseTracesReply(reply: TaskReply): TracesWindow {
  const h = reply.result
  if (!isRecord(h)) throw new Error('the traces header is not an object')
  const numSamples = num(h.numSamples, 'numSamples')
  const numChannels = num(h.numChannels, 'numChannels')
  const channelIds = list(h.channelIds, 'channelIds').map(String)
  if (channelIds.length !== numChannels) throw new Error(`the header lists ${channelIds.length} channel ids for ${numChannels} channels`)
  const dtype = h.dtype === undefined ? 'float32' : h.dtype
  if (typeof dtype !== 'string' || !(dtype in PAYLOAD_ARRAYS)) throw new Error(`the traces payload has an unknown dtype ${JSON.stringify(dtype)}`)
  const ArrayType = PAYLOAD_ARRAYS[dtype as keyof typeof PAYLOAD_ARRAYS]
  const expected = numSamples * numChannels * ArrayType.BYTES_PER_ELEMENT
  const bytes = reply.payload?.byteLength ?? 0
  if (bytes !== expected) throw new Error(`the traces payload has ${bytes} bytes; ${numSamples} x ${numChannels} ${dtype} values need ${expected}`)
  const minMax = h.minMax === true
  if (minMax && numSamples % 2 !== 0) throw new Error('a min/max window must have an even number of rows')
  return {
    segmentIndex: num(h.segmentIndex, 'segmentIndex'),
    startFrame: num(h.startFrame, 'startFrame'),
    endFrame: num(h.endFrame, 'endFrame'),
    samplingFrequency: num(h.samplingFrequency, 'samplingFrequency'),
    decimation: minMax ? num(h.decimation, 'decimation') : 1,
    minMax,
    channelIds,
    numSamples,
    numChannels,
    data: reply.payload ? new ArrayType(reply.payload) : new ArrayType(0),
    gains: perChannel(h.gains, numChannels, 'gains'),
    offsets: perChannel(h.offsets, numChannels, 'offsets'),
    dataUnits: typeof h.dataUnits === 'string' ? h.dataUnits : 'raw',
  }
}

/** Frame range [first, last) that row `row` of a window covers (a bin when decimated, one frame otherwise). */
export function rowFrames(w: TracesWindow, row: number): [number, number] {
  if (!w.minMax) return [w.startFrame + row, w.startFrame + row + 1]
  const bin = row >> 1
  const first = w.startFrame + bin * w.decimation
  return [first, Math.min(w.endFrame, first + w.decimation)]
}

export function spikesRequest(sortingUri: string, w: FrameWindow): TaskRequest {
  return {
    taskName: SPIKES_WINDOW_TASK,
    taskInput: { sorting_uri: sortingUri, segment_index: w.segmentIndex, start_frame: w.startFrame, end_frame: w.endFrame },
  }
}

export interface SpikesWindow extends FrameWindow {
  unitIds: UnitId[]
  spikeFrames: Numbers
  spikeUnitIndices: Numbers
}

export function parseSpikesReply(reply: TaskReply): SpikesWindow {
  const r = reply.result
  if (!isRecord(r)) throw new Error('the spikes answer is not an object')
  const unitIds = list(r.unitIds, 'unitIds').map((u, i) => {
    if (!isUnitId(u)) throw new Error(`unitIds[${i}] is not a unit id`)
    return u
  })
  const spikeFrames = numbers(r.spikeFrames, 'spikeFrames')
  const spikeUnitIndices = numbers(r.spikeUnitIndices, 'spikeUnitIndices')
  if (spikeFrames.length !== spikeUnitIndices.length) throw new Error('spikeFrames and spikeUnitIndices differ in length')
  return {
    segmentIndex: num(r.segmentIndex, 'segmentIndex'),
    startFrame: num(r.startFrame, 'startFrame'),
    endFrame: num(r.endFrame, 'endFrame'),
    unitIds,
    spikeFrames,
    spikeUnitIndices,
  }
}
