// The panel's downloads: sortingview's curation JSON and SpikeInterface's curation format (version 2).
import { canonicalJson } from '../../figure/curationController'
import { curationForExport, type SortingCuration } from '../../state/curation'
import { toSpikeInterfaceCuration } from '../../state/curationExport'
import type { UnitId } from '../../state/units'

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadSortingviewJson(c: SortingCuration, labelChoices: readonly string[]): void {
  download('sorting_curation.json', canonicalJson(curationForExport(c, labelChoices)))
}

/** Throws (naming the unit) when the curation names a unit the figure does not have. */
export function downloadSpikeInterfaceCuration(c: SortingCuration, labelChoices: readonly string[], unitIds: readonly UnitId[]): void {
  download('curation.json', JSON.stringify(toSpikeInterfaceCuration({ ...c, labelChoices: [...labelChoices] }, unitIds), null, 1))
}
