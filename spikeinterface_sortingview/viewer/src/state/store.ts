// A minimal observable value; views subscribe to just the piece of state they show.
import { useSyncExternalStore } from 'react'

export class Store<T> {
  private listeners = new Set<() => void>()

  constructor(private value: T) {}

  get = (): T => this.value

  set = (next: T): void => {
    if (Object.is(next, this.value)) return
    this.value = next
    for (const l of [...this.listeners]) l()
  }

  update = (fn: (current: T) => T): void => this.set(fn(this.value))

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get)
}

/**
 * One part of a store's value, e.g. `useStoreSlice(curation, (c) => c.mergeGroups)`: the component renders again
 * only when that part changes (by identity), not on every change of the store. `select` must return a part of the
 * value (or a primitive), not a new object.
 */
export function useStoreSlice<T, S>(store: Store<T>, select: (value: T) => S): S {
  return useSyncExternalStore(store.subscribe, () => select(store.get()))
}
