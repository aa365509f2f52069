// Mountain layout: a control column (items marked isControl) beside tabs holding the other views.
import { itemName, type LayoutProps, LayoutView } from './LayoutView'
import { Tabs } from './TabLayout'
import type { MountainNode } from './types'

export function MountainLayout({ node, views }: LayoutProps<MountainNode>) {
  const indexed = node.items.map((item, i) => ({ item, p: node.itemProperties[i] ?? {}, i }))
  const controls = indexed.filter((x) => x.p.isControl)
  const others = indexed.filter((x) => !x.p.isControl)
  return (
    <div className="layout-mountain" data-layout="Mountain">
      <div className="mountain-controls">
        {controls.map(({ item, p, i }) => (
          <div key={i} className="mountain-control" style={p.controlHeight ? { height: p.controlHeight, flex: '0 0 auto' } : undefined}>
            <div className="layout-item-title">{p.label ?? itemName(item, views, `Control ${i + 1}`)}</div>
            <div className="layout-item-body">
              <LayoutView node={item} views={views} />
            </div>
          </div>
        ))}
      </div>
      <div className="mountain-main">
        <Tabs items={others.map((x) => x.item)} labels={others.map(({ item, p, i }) => p.label ?? itemName(item, views, `View ${i + 1}`))} vertical={false} views={views} />
      </div>
    </div>
  )
}
