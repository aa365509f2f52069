// The layout tree of a MainLayout figure document and its validation.
import { isRecord } from '../protocol/messages'

export interface ItemProperties {
  minSize?: number
  maxSize?: number
  stretch?: number
  title?: string
  collapsible?: boolean
  label?: string
  isControl?: boolean
  controlHeight?: number
}

export interface ViewNode {
  type: 'View'
  viewId: string
}

export interface BoxNode {
  type: 'Box'
  direction: 'horizontal' | 'vertical'
  items: LayoutNode[]
  itemProperties: ItemProperties[]
  scrollbar: boolean
  showTitles: boolean
}

export interface SplitterNode {
  type: 'Splitter'
  direction: 'horizontal' | 'vertical'
  items: LayoutNode[]
  itemProperties: ItemProperties[]
}

export interface TabLayoutNode {
  type: 'TabLayout'
  items: LayoutNode[]
  itemProperties: ItemProperties[]
  tabBarLayout: 'horizontal' | 'vertical'
}

export interface MountainNode {
  type: 'Mountain'
  items: LayoutNode[]
  itemProperties: ItemProperties[]
}

export type LayoutNode = ViewNode | BoxNode | SplitterNode | TabLayoutNode | MountainNode

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined
}

function parseItemProperties(x: unknown, n: number): ItemProperties[] {
  const list = Array.isArray(x) ? x : []
  const out: ItemProperties[] = []
  for (let i = 0; i < n; i++) {
    const p: unknown = list[i]
    if (!isRecord(p)) {
      out.push({})
      continue
    }
    const props: ItemProperties = {}
    const minSize = num(p.minSize)
    const maxSize = num(p.maxSize)
    const stretch = num(p.stretch)
    const controlHeight = num(p.controlHeight)
    if (minSize !== undefined) props.minSize = minSize
    if (maxSize !== undefined) props.maxSize = maxSize
    if (stretch !== undefined) props.stretch = stretch
    if (controlHeight !== undefined) props.controlHeight = controlHeight
    if (typeof p.title === 'string') props.title = p.title
    if (typeof p.label === 'string') props.label = p.label
    if (p.collapsible === true) props.collapsible = true
    if (p.isControl === true) props.isControl = true
    out.push(props)
  }
  return out
}

export function parseLayout(x: unknown, path = 'layout'): LayoutNode {
  if (!isRecord(x)) throw new Error(`${path} is not an object`)
  const items = (): LayoutNode[] => {
    if (!Array.isArray(x.items)) throw new Error(`${path}.items is not a list`)
    return x.items.map((it: unknown, i: number) => parseLayout(it, `${path}.items[${i}]`))
  }
  const direction = x.direction === 'vertical' ? 'vertical' : 'horizontal'
  switch (x.type) {
    case 'View':
      if (typeof x.viewId !== 'string' && typeof x.viewId !== 'number') throw new Error(`${path} has no viewId`)
      return { type: 'View', viewId: String(x.viewId) }
    case 'Box': {
      const it = items()
      return {
        type: 'Box',
        direction,
        items: it,
        itemProperties: parseItemProperties(x.itemProperties, it.length),
        scrollbar: x.scrollbar === true,
        showTitles: x.showTitles === true,
      }
    }
    case 'Splitter': {
      const it = items()
      if (it.length !== 2) throw new Error(`${path}: a Splitter needs exactly 2 items, found ${it.length}`)
      return { type: 'Splitter', direction, items: it, itemProperties: parseItemProperties(x.itemProperties, 2) }
    }
    case 'TabLayout': {
      const it = items()
      return {
        type: 'TabLayout',
        items: it,
        itemProperties: parseItemProperties(x.itemProperties, it.length),
        tabBarLayout: x.tabBarLayout === 'vertical' ? 'vertical' : 'horizontal',
      }
    }
    case 'Mountain':
    case 'MountainLayout': {
      const it = items()
      return { type: 'Mountain', items: it, itemProperties: parseItemProperties(x.itemProperties, it.length) }
    }
    default:
      throw new Error(`${path}: unknown layout type ${String(x.type)}`)
  }
}
