// The runner's split tasks: features of a displayed unit (unit_features.1) and a polygon applied to all its spikes
// with a preview of both parts (split_selection.1). See docs/compute-api.md, splits.
import type { TaskReply } from '../../compute/computeClient'
import type { TaskRequest } from '../../compute/useTask'
import { isRecord } from '../../protocol/messages'
import { NdArray } from '../../protocol/ndarray'
import { type DisplayUnit, unitGroupInput } from '../../state/mergeDisplay'
import type { Point } from './lasso'

export const SPLIT_TASK = 'sortingview.split_selection.1'
export const UNIT_FEATURES_TASK = 'sortingview.unit_features.1'

export type SplitFeature = 'amplitudes' | 'locations' | 'pca'

/** Where a view's features come from: what the runner needs to compute the same values for every spike. */
export interface SplitSource {
  sortingUri: string
  feature: SplitFeature
  spikeFeaturesUri?: string
  recordingUri?: string
  /** PCA parameters (the feature view's), sent alike to both tasks so they use the same components */
  pca?: { ms_before: number; ms_after: number; num_channels: number; pca_model_uri?: string }
}

function unitInput(source: SplitSource, unit: DisplayUnit): Record<string, unknown> {
  const input: Record<string, unknown> = { sorting_uri: source.sortingUri, unit_ids: unitGroupInput(unit) }
  if (source.recordingUri) input.recording_uri = source.recordingUri
  if (source.pca) Object.assign(input, source.pca)
  return input
}

export function splitRequest(source: SplitSource, unit: DisplayUnit, polygon: readonly Point[]): TaskRequest {
  const input = { ...unitInput(source, unit), feature: source.feature, polygon: polygon.map(([x, y]) => [x, y]) }
  if (source.spikeFeaturesUri) Object.assign(input, { spike_features_uri: source.spikeFeaturesUri })
  return { taskName: SPLIT_TASK, taskInput: input }
}

export function unitFeaturesRequest(source: SplitSource, unit: DisplayUnit, maxSpikes: number): TaskRequest {
  return { taskName: UNIT_FEATURES_TASK, taskInput: { ...unitInput(source, unit), feature: 'pca', max_spikes: maxSpikes } }
}

export interface SplitPreviewData {
  indices: number[]
  numSpikes: [number, number]
  binEdgesSec: NdArray
  autocorrelograms: NdArray
  amplitudes?: { times: NdArray; values: NdArray; part: NdArray }
  templates?: { values: NdArray; channelIds: (string | number)[]; samplingFrequency: number; nbefore: number }
}

function array(x: unknown, name: string): NdArray {
  if (!(x instanceof NdArray)) throw new Error(`the split reply has no array ${name}`)
  return x
}

export function parseSplitReply(reply: TaskReply): SplitPreviewData {
  const r = reply.result
  if (!isRecord(r) || !Array.isArray(r.numSpikes)) throw new Error('the split reply is not an object with numSpikes')
  const out: SplitPreviewData = {
    indices: Array.from(array(r.indices, 'indices').data),
    numSpikes: [Number(r.numSpikes[0]), Number(r.numSpikes[1])],
    binEdgesSec: array(r.binEdgesSec, 'binEdgesSec'),
    autocorrelograms: array(r.autocorrelograms, 'autocorrelograms'),
  }
  if (r.amplitudes instanceof NdArray) {
    out.amplitudes = { times: array(r.amplitudeTimesSec, 'amplitudeTimesSec'), values: r.amplitudes, part: array(r.amplitudePart, 'amplitudePart') }
  }
  if (r.templates instanceof NdArray && Array.isArray(r.templateChannelIds)) {
    out.templates = {
      values: r.templates,
      channelIds: r.templateChannelIds as (string | number)[],
      samplingFrequency: Number(r.samplingFrequency),
      nbefore: Number(r.nbefore),
    }
  }
  return out
}

export interface UnitFeatures {
  positions: NdArray
  features: NdArray
  numSpikes: number
  axisLabels: [string, string]
  explainedVarianceRatio: number[]
  /** "runner", or which of the analyzer's PCA models the runner used */
  pcaSource?: string
}

export function parseUnitFeatures(reply: TaskReply): UnitFeatures {
  const r = reply.result
  if (!isRecord(r)) throw new Error('the features reply is not an object')
  const labels = Array.isArray(r.axisLabels) ? r.axisLabels.map(String) : ['PC1', 'PC2']
  return {
    positions: array(r.positions, 'positions'),
    features: array(r.features, 'features'),
    numSpikes: Number(r.numSpikes),
    axisLabels: [labels[0] ?? 'PC1', labels[1] ?? 'PC2'],
    explainedVarianceRatio: Array.isArray(r.explainedVarianceRatio) ? r.explainedVarianceRatio.map(Number) : [],
    pcaSource: typeof r.pcaSource === 'string' ? r.pcaSource : undefined,
  }
}
