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
}

export function defineView<D>(
  decode: (raw: Record<string, unknown>) => D,
  Component: ComponentType<ViewProps<D>>,
  options: { showsSelection: boolean },
): ViewDefinition {
  // The registry is keyed by the type string; the decoder guarantees the data matches the component.
  return { decode, Component: Component as ComponentType<ViewProps<unknown>>, showsSelection: options.showsSelection }
}
