// TabLayout: one item at a time behind tabs; visited tabs stay mounted so they keep their state.
import { useState } from 'react'
import { itemName, LayoutView, type LayoutProps } from './LayoutView'
import type { LayoutNode, TabLayoutNode } from './types'

export function TabLayout({ node, views }: LayoutProps<TabLayoutNode>) {
  return <Tabs items={node.items} labels={node.items.map((it, i) => node.itemProperties[i]?.label ?? itemName(it, views, `Tab ${i + 1}`))} vertical={node.tabBarLayout === 'vertical'} views={views} />
}

export function Tabs({ items, labels, vertical, views }: { items: LayoutNode[]; labels: string[]; vertical: boolean; views: LayoutProps['views'] }) {
  const [active, setActive] = useState(0)
  const [visited, setVisited] = useState<ReadonlySet<number>>(new Set([0]))
  const select = (i: number): void => {
    setActive(i)
    setVisited((v) => (v.has(i) ? v : new Set([...v, i])))
  }
  return (
    <div className={`layout-tabs ${vertical ? 'vertical' : 'horizontal'}`} data-layout="TabLayout">
      <div className="tab-bar" role="tablist" aria-orientation={vertical ? 'vertical' : 'horizontal'}>
        {labels.map((label, i) => (
          <button type="button" key={i} role="tab" aria-selected={i === active} className={i === active ? 'active' : ''} onClick={() => select(i)}>
            {label}
          </button>
        ))}
      </div>
      <div className="tab-content">
        {items.map((item, i) =>
          visited.has(i) ? (
            <div key={i} className="tab-panel" role="tabpanel" style={{ display: i === active ? undefined : 'none' }}>
              <LayoutView node={item} views={views} />
            </div>
          ) : null,
        )}
      </div>
    </div>
  )
}
