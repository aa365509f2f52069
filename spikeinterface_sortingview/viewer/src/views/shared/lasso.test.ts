import { describe, expect, it } from 'vitest'
import { decodeFeatureView } from '../FeatureView/FeatureView'
import { decodeMergeSuggestions } from '../MergeSuggestions/MergeSuggestions'
import { decodeSpikeAmplitudes } from '../SpikeAmplitudes/SpikeAmplitudes'
import { isUsablePolygon, type Point, pointInPolygon, polygonArea, simplifyPath } from './lasso'
import { splitUnitId } from './splitAction'
import { splitRequest } from './splitRequest'

const square: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
]

describe('lasso geometry', () => {
  it('tells inside from outside by the even-odd rule, as the runner does', () => {
    expect(pointInPolygon(5, 5, square)).toBe(true)
    expect(pointInPolygon(15, 5, square)).toBe(false)
    expect(pointInPolygon(Number.NaN, 5, square)).toBe(false)
    // a bow tie: the crossing's two lobes are inside, the space between them is not
    const bowTie: Point[] = [
      [0, 0],
      [10, 10],
      [10, 0],
      [0, 10],
    ]
    expect(pointInPolygon(2, 5, bowTie)).toBe(true)
    expect(pointInPolygon(5, 1, bowTie)).toBe(false)
  })

  it('thins a mouse path and refuses a line or a dot', () => {
    const path: Point[] = Array.from({ length: 3000 }, (_, i) => [Math.cos(i / 477) * 100, Math.sin(i / 477) * 100])
    const thin = simplifyPath(path)
    expect(thin.length).toBeLessThanOrEqual(400)
    expect(Math.abs(polygonArea(thin))).toBeGreaterThan(30000)
    expect(isUsablePolygon(thin)).toBe(true)
    expect(isUsablePolygon(simplifyPath([[0, 0], [5, 5], [10, 10], [20, 20]]))).toBe(false)
  })
})

describe('split requests and views', () => {
  it('names a merged unit by its display id and sends its members', () => {
    const merged = { key: '3+7', unitIds: [3, 7], merged: true }
    expect(splitUnitId(merged)).toBe('3+7')
    expect(splitUnitId({ key: '5', unitIds: [5], merged: false })).toBe(5)
    const request = splitRequest({ sortingUri: 'sha1://s', feature: 'amplitudes', spikeFeaturesUri: 'sha1://f' }, merged, square)
    expect(request.taskInput).toEqual({ sorting_uri: 'sha1://s', unit_ids: [3, 7], feature: 'amplitudes', polygon: square, spike_features_uri: 'sha1://f' })
  })

  it('decodes the feature view, merge suggestions and splittable amplitudes', () => {
    expect(decodeFeatureView({ sortingUri: 'sha1://s', recordingUri: 'sha1://r' })).toEqual({ sortingUri: 'sha1://s', recordingUri: 'sha1://r', msBefore: 1, msAfter: 2, numChannels: 8 })
    expect(() => decodeFeatureView({ sortingUri: 'sha1://s' })).toThrow(/recordingUri/)
    expect(decodeMergeSuggestions({ sortingUri: 'a', recordingUri: 'b' }).presets[0]).toBe('similarity_correlograms')
    const amps = decodeSpikeAmplitudes({ startTimeSec: 0, endTimeSec: 1, units: [], sortingUri: 'sha1://s', spikeFeaturesUri: 'sha1://f' })
    expect(amps.spikeFeaturesUri).toBe('sha1://f')
    expect(decodeSpikeAmplitudes({ startTimeSec: 0, endTimeSec: 1, units: [] }).sortingUri).toBeUndefined()
  })
})
