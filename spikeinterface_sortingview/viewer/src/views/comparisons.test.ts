import { describe, expect, it } from 'vitest'
import { NdArray } from '../protocol/ndarray'
import { decodeAgreementMatrix } from './AgreementMatrix/AgreementMatrix'
import { decodeConfusionMatrix } from './ConfusionMatrix/ConfusionMatrix'
import { decodeMultiSortingAgreement } from './MultiSortingAgreement/MultiSortingAgreement'
import { decodeStudyTable } from './StudyTable/StudyTable'

describe('comparison view decoders', () => {
  it('keeps the event counts of two sortings apart when both use ids 0..N', () => {
    const d = decodeConfusionMatrix({
      sorting1UnitIds: [0, 1, 2],
      sorting2UnitIds: [0, 1],
      unitEventCounts: [
        { unitId: 0, count: 10 },
        { unitId: 1, count: 20 },
        { unitId: 2, count: 30 },
        { unitId: 0, count: 11 },
        { unitId: 1, count: 21 },
      ],
      matchingUnitEventCounts: [{ unitId1: 2, unitId2: 0, count: 9 }],
    })
    expect(d.eventCounts1.get('0')).toBe(10)
    expect(d.eventCounts2.get('0')).toBe(11)
    expect(d.eventCounts2.get('1')).toBe(21)
    expect(d.falseNegativeCounts).toBeUndefined()
  })

  it('reads the FN and FP counts of a confusion matrix, one per unit', () => {
    const base = { sorting1UnitIds: [0], sorting2UnitIds: [0], unitEventCounts: [{ unitId: 0, count: 5 }, { unitId: 0, count: 4 }], matchingUnitEventCounts: [] }
    const d = decodeConfusionMatrix({ ...base, falseNegativeCounts: [1], falsePositiveCounts: [0], sorting1Name: 'gt' })
    expect(d.falseNegativeCounts).toEqual([1])
    expect(d.sorting1Name).toBe('gt')
    expect(() => decodeConfusionMatrix({ ...base, falseNegativeCounts: [1, 2] })).toThrow(/one count per unit/)
  })

  it('reads agreement scores as a matrix the shape of the unit ids', () => {
    const scores = new NdArray(new Float32Array([0.9, 0.1, 0, 0.5]), [2, 2])
    const d = decodeAgreementMatrix({ sorting1UnitIds: ['a', 'b'], sorting2UnitIds: [1, 2], agreementScores: scores, bestMatch12: [1, null] })
    expect(d.bestMatch12).toEqual([1, null])
    expect(d.scores.rows).toBe(2)
    const wrong = new NdArray(new Float32Array([0.9, 0.1]), [1, 2])
    expect(() => decodeAgreementMatrix({ sorting1UnitIds: ['a', 'b'], sorting2UnitIds: [1, 2], agreementScores: wrong, bestMatch12: [1, null] })).toThrow(/should be 2 x 2/)
  })

  it('reads a study table cell with its per-unit performance', () => {
    const units = { gtUnitIds: [0, 1], matchedUnitIds: [3, null], accuracy: [0.9, 0], precision: [1, 0], recall: [0.9, 0], numGtEvents: [10, 12] }
    const d = decodeStudyTable({
      sorterNames: ['simple'],
      recordingNames: ['rec1'],
      wellDetectedScore: 0.8,
      cells: [{ sorterName: 'simple', recordingName: 'rec1', numGtUnits: 2, numSortedUnits: 1, meanAccuracy: 0.45, numWellDetected: 1, units }],
    })
    const cell = [...d.cells.values()][0]
    expect(cell?.units.matchedUnitIds).toEqual([3, null])
    expect(() => decodeStudyTable({ sorterNames: [], recordingNames: [], cells: [{ sorterName: 's', recordingName: 'r', numGtUnits: 1, numSortedUnits: 1, meanAccuracy: 1, numWellDetected: 1, units: { ...units, accuracy: [1] } }] })).toThrow(/one value per ground-truth unit/)
  })

  it('reads multi-sorting agreement units and their members', () => {
    const d = decodeMultiSortingAgreement({ sortingNames: ['a', 'b'], numUnits: { a: 2, b: 1 }, units: [{ unitId: 0, agreementNumber: 2, averageAgreement: 0.9, unitIds: { a: 1, b: 4 } }] })
    expect(d.units[0]?.unitIds.get('b')).toBe(4)
    expect(d.numUnits.get('a')).toBe(2)
  })
})
