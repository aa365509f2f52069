// Box: items side by side (or stacked), sized by stretch/minSize/maxSize, optionally titled and collapsible.
import { type CSSProperties, useState } from 'react'
import { itemName, LayoutView, type LayoutProps } from './LayoutView'
import type { BoxNode, ItemProperties } from './types'

const DEFAULT_SCROLL_ITEM_SIZE = 400

function itemStyle(p: ItemProperties, horizontal: boolean, scrollbar: boolean, collapsed: boolean): CSSProperties {
  const sizeKey = horizontal ? 'width' : 'height'
  const minKey = horizontal ? 'minWidth' : 'minHeight'
  const maxKey = horizontal ? 'maxWidth' : 'maxHeight'
  if (collapsed) return { flex: '0 0 auto' }
  if (scrollbar) return { flex: '0 0 auto', [sizeKey]: p.minSize ?? DEFAULT_SCROLL_ITEM_SIZE }
  const style: CSSProperties = { flex: `${p.stretch ?? 1} 1 0px`, [minKey]: p.minSize ?? 0 }
  if (p.maxSize !== undefined) style[maxKey] = p.maxSize
  return style
}

export function BoxLayout({ node, views }: LayoutProps<BoxNode>) {
  const horizontal = node.direction === 'horizontal'
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set())
  const toggle = (i: number): void =>
    setCollapsed((s) => {
      const next = new Set(s)
      if (next.has(i)) next.delete(i)
      else next.add(i)
      return next
    })
  return (
    <div className={`layout-box ${horizontal ? 'horizontal' : 'vertical'}${node.scrollbar ? ' scrolling' : ''}`} data-layout="Box">
      {node.items.map((item, i) => {
        const p = node.itemProperties[i] ?? {}
        const isCollapsed = collapsed.has(i)
        const showTitle = node.showTitles || p.collapsible === true || p.title !== undefined
        const title = p.title ?? itemName(item, views, `item ${i + 1}`)
        return (
          <div key={i} className="layout-item" style={itemStyle(p, horizontal, node.scrollbar, isCollapsed)}>
            {showTitle && (
              <div
                className={'layout-item-title' + (p.collapsible ? ' collapsible' : '')}
                onClick={p.collapsible ? () => toggle(i) : undefined}
                title={p.collapsible ? (isCollapsed ? 'Expand' : 'Collapse') : undefined}
              >
                {p.collapsible && <span className="collapse-mark">{isCollapsed ? '▸' : '▾'}</span>}
                {title}
              </div>
            )}
            {!isCollapsed && (
              <div className="layout-item-body">
                <LayoutView node={item} views={views} />
              </div>
            )}
          </div>
        )
      })}
    </div>
  )
}
