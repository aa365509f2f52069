// The viewer's reducer, history and export give what Python gives for the same actions (curationCases.json is
// written by tests/runner/handlers/test_curation_agreement.py).
import { describe, expect, it } from 'vitest'
import type { CurationAction, SortingCuration } from './curation'
import cases from './curationCases.json'
import { type SiCuration, toSpikeInterfaceCuration } from './curationExport'
import { replayHistory } from './curationHistory'
import type { UnitId } from './units'

interface Case {
  name: string
  unitIds: UnitId[]
  actions: CurationAction[]
  state: SortingCuration
  export: SiCuration | SiCuration[]
}

const withoutChoices = (c: SortingCuration): SortingCuration => ({ ...c, labelChoices: undefined })
const sortedLabels = (e: SiCuration | SiCuration[]): unknown =>
  (Array.isArray(e) ? e : [e]).map((s) => ({ ...s, manual_labels: [...s.manual_labels].sort((a, b) => String(a.unit_id).localeCompare(String(b.unit_id))) }))

describe('the viewer agrees with Python', () => {
  for (const c of cases as unknown as Case[]) {
    it(c.name, () => {
      const present = replayHistory(c.actions.map((action) => ({ action }))).present
      expect(withoutChoices(present)).toEqual(withoutChoices(c.state))
      expect(sortedLabels(toSpikeInterfaceCuration(present, c.unitIds))).toEqual(sortedLabels(c.export))
    })
  }
})
