import { describe, expect, it } from 'vitest'
import { NdArray } from '../protocol/ndarray'
import { decodeAverageWaveforms } from './AverageWaveforms/data'
import { findCorrelogram, decodeCrossCorrelograms } from './CrossCorrelograms/data'
import { renderMarkdown } from './Markdown/Markdown'
import { labelShortcuts } from './SortingCuration/CurationPanel'
import { compareCells, formatCell } from './UnitsTable/data'

describe('view decoders', () => {
  it('reads AverageWaveforms as (num_channels, num_samples)', () => {
    const w = new NdArray(new Float32Array(6), [2, 3])
    const d = decodeAverageWaveforms({ averageWaveforms: [{ unitId: 1, channelIds: ['a', 'b'], waveform: w }], channelLocations: { a: [0, 0], b: [0, 20] } })
    expect(d.averageWaveforms[0]?.waveform.cols).toBe(3)
    expect(d.channelLocations.get('b')).toEqual([0, 20])
    expect(() => decodeAverageWaveforms({ averageWaveforms: [{ unitId: 1, channelIds: ['a', 'b', 'c'], waveform: w }] })).toThrow(/num_channels/)
  })

  it('mirrors a cross-correlogram stored only for the reverse pair', () => {
    const d = decodeCrossCorrelograms({
      crossCorrelograms: [{ unitId1: 1, unitId2: 2, binEdgesSec: [-0.002, -0.001, 0, 0.001], binCounts: [5, 6, 7] }],
    })
    const c = findCorrelogram(d, 2, 1)
    expect(Array.from(c?.binCounts ?? [])).toEqual([7, 6, 5])
    Array.from(c?.binEdgesSec ?? []).forEach((v, i) => expect(v).toBeCloseTo([-0.001, 0, 0.001, 0.002][i] as number, 6))
    expect(findCorrelogram(d, 1, 3)).toBeUndefined()
  })

  it('keeps encoded cross-correlograms encoded until a pair is asked for, then decodes it once', () => {
    const b64 = (a: Float32Array): string => btoa(Array.from(new Uint8Array(a.buffer), (b) => String.fromCharCode(b)).join(''))
    const enc = (values: number[]) => ({ _type: 'ndarray', shape: [values.length], dtype: 'float32', data_b64: b64(new Float32Array(values)) })
    const d = decodeCrossCorrelograms({
      crossCorrelograms: [
        { unitId1: 1, unitId2: 2, binEdgesSec: enc([-0.001, 0, 0.001]), binCounts: enc([5, 6]) },
        { unitId1: 1, unitId2: 3, binEdgesSec: enc([-0.001, 0, 0.001]), binCounts: { _type: 'ndarray', shape: [2], dtype: 'int64', data_b64: 'AA==' } },
      ],
    })
    expect(d.byPair.get('1|2')?.decoded).toBeUndefined()
    const c = findCorrelogram(d, 1, 2)
    expect(Array.from(c?.binCounts ?? [])).toEqual([5, 6])
    expect(findCorrelogram(d, 1, 2)).toBe(c)
    expect(Array.from(findCorrelogram(d, 2, 1)?.binCounts ?? [])).toEqual([6, 5])
    // A bad array fails when its pair is shown, naming it; the others are unaffected.
    expect(() => findCorrelogram(d, 1, 3)).toThrow(/crossCorrelograms\[1\].*int64/)
    expect(() => decodeCrossCorrelograms({ crossCorrelograms: [{ unitId1: 1, unitId2: 2, binEdgesSec: 'x', binCounts: [1] }] })).toThrow(/binEdgesSec/)
  })

  it('sorts and shows numeric strings as numbers', () => {
    expect(['10', '9', '0.5'].sort(compareCells)).toEqual(['0.5', '9', '10'])
    expect(formatCell('0.', 'float')).toBe('0')
    expect(formatCell(3.14159, 'float')).toBe('3.142')
  })

  it('gives letter shortcuts only to labels with a unique first letter', () => {
    const s = labelShortcuts(['accept', 'reject', 'noise', 'artifact', 'mua'])
    expect(s.get('1')).toBe('accept')
    expect(s.get('r')).toBe('reject')
    expect(s.has('a')).toBe(false)
  })

  it('never passes raw HTML or script links through markdown', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://a.org)')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('javascript:')
    expect(html).toContain('href="https://a.org"')
  })
})
