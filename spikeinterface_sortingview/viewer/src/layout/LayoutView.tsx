// Renders a layout node: containers recurse, leaves become views.
import type { LoadedView } from '../figure/loadFigure'
import { LeafView } from '../views/LeafView'
import { BoxLayout } from './BoxLayout'
import { MountainLayout } from './MountainLayout'
import { SplitterLayout } from './SplitterLayout'
import { TabLayout } from './TabLayout'
import type { LayoutNode } from './types'

export interface LayoutProps<N extends LayoutNode = LayoutNode> {
  node: N
  views: ReadonlyMap<string, LoadedView>
}

export function LayoutView({ node, views }: LayoutProps) {
  switch (node.type) {
    case 'View':
      return <LeafView view={views.get(node.viewId)} />
    case 'Box':
      return <BoxLayout node={node} views={views} />
    case 'Splitter':
      return <SplitterLayout node={node} views={views} />
    case 'TabLayout':
      return <TabLayout node={node} views={views} />
    case 'Mountain':
      return <MountainLayout node={node} views={views} />
  }
}

/** A short name for a layout item: its title/label, else its view type. */
export function itemName(node: LayoutNode, views: ReadonlyMap<string, LoadedView>, fallback: string): string {
  if (node.type === 'View') return views.get(node.viewId)?.type ?? fallback
  return fallback
}
