// How a leaf view type is declared: a decoder from JSON to typed data, and a component.
import type { ComponentType } from 'react'

export interface ViewProps<D> {
  data: D
  width: number
  height: number
}

export interface ViewDefinition {
  decode: (raw: Record<string, unknown>) => unknown
  Component: ComponentType<ViewProps<unknown>>
  /** Views that show unit selection expose it as data-selected-units on their root */
  showsSelection: boolean
  /** Fields whose ndarrays the loader leaves encoded: the view decodes the few it shows when it draws them */
  lazyFields?: ReadonlySet<string>
}

export function defineView<D>(
  decode: (raw: Record<string, unknown>) => D,
  Component: ComponentType<ViewProps<D>>,
  options: { showsSelection: boolean; lazyFields?: readonly string[] },
): ViewDefinition {
  // The registry is keyed by the type string; the decoder guarantees the data matches the component.
  const def: ViewDefinition = { decode, Component: Component as ComponentType<ViewProps<unknown>>, showsSelection: options.showsSelection }
  if (options.lazyFields) def.lazyFields = new Set(options.lazyFields)
  return def
}
