// UnitImages: one picture per unit in a grid; clicking a picture selects its unit.
import { useFigure, useSelection } from '../../figure/FigureContext'
import { isSelected } from '../../state/selection'
import type { UnitId } from '../../state/units'
import { list, optNum, rec, str, unitId } from '../decode'
import { useResolvedUrl } from '../shared/useResolvedUrl'
import { useUnitClick } from '../shared/useUnitClick'
import { defineView, type ViewProps } from '../viewDefinition'

export interface UnitImagesData {
  items: { unitId: UnitId; url: string }[]
  itemWidth: number
  itemHeight: number
}

export function decodeUnitImages(raw: Record<string, unknown>): UnitImagesData {
  return {
    items: list(raw.items, 'items').map((x, i) => {
      const r = rec(x, `items[${i}]`)
      return { unitId: unitId(r.unitId, `items[${i}].unitId`), url: str(r.url, `items[${i}].url`) }
    }),
    itemWidth: optNum(raw.itemWidth) ?? 200,
    itemHeight: optNum(raw.itemHeight) ?? 200,
  }
}

function UnitImage({ unitId: id, url, width, height }: { unitId: UnitId; url: string; width: number; height: number }) {
  const resolved = useResolvedUrl(url)
  const { unitOrder } = useFigure()
  const selected = useSelection()
  const onUnitClick = useUnitClick()
  return (
    <div className={'plot-grid-cell' + (isSelected(selected, id) ? ' selected' : '')} data-unit-id={String(id)} onClick={(e) => onUnitClick(id, e)}>
      <div className="plot-grid-title">
        <span className="unit-swatch" style={{ background: unitOrder.color(id) }} />
        Unit {String(id)}
      </div>
      {resolved.url ? <img src={resolved.url} width={width} height={height} alt={`unit ${String(id)}`} /> : <div style={{ width, height }} />}
    </div>
  )
}

function UnitImagesView({ data, height }: ViewProps<UnitImagesData>) {
  const { unitOrder } = useFigure()
  const items = [...data.items].sort((a, b) => unitOrder.index(a.unitId) - unitOrder.index(b.unitId))
  return (
    <div className="plot-grid" style={{ height }}>
      {items.map((it) => (
        <UnitImage key={String(it.unitId)} unitId={it.unitId} url={it.url} width={data.itemWidth} height={data.itemHeight} />
      ))}
    </div>
  )
}

export const unitImagesView = defineView(decodeUnitImages, UnitImagesView, { showsSelection: true })
