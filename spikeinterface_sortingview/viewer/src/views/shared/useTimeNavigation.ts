// Wheel zoom and drag pan on a time axis, writing the window shared by all time-axis views.
import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef } from 'react'
import { useFigure } from '../../figure/FigureContext'
import type { Store } from '../../state/store'
import { limitSpan, panRange, type TimeRange, zoomRange } from '../../state/timeRange'

export interface TimeNavigationOptions {
  targetRef: RefObject<HTMLElement | null>
  /** The view's full time extent: zoom and pan stay inside it */
  bounds: TimeRange
  plotLeft: number
  plotWidth: number
  /** Called when the window changes (any view zoomed); the view redraws without a React render */
  onRangeChange: () => void
  onClick?: (x: number, y: number, e: PointerEvent) => void
  onHover?: (pos: { x: number; y: number } | undefined) => void
  /** A window of the view's own instead of the figure's shared one (undefined in it means `bounds`) */
  store?: Store<TimeRange | undefined>
  /** Widest window the view can show; zooming out stops there */
  maxSpan?: number
  /** Sees each wheel event first; returning true means the view used it (e.g. shift+wheel scrolls channels) */
  onWheel?: (e: WheelEvent) => boolean
}

const DRAG_THRESHOLD_PX = 3

export function useTimeNavigation(opts: TimeNavigationOptions): { getRange: () => TimeRange; zoom: (factor: number) => void; reset: () => void } {
  const figure = useFigure()
  const timeRange = opts.store ?? figure.timeRange
  const optsRef = useRef(opts)
  useLayoutEffect(() => {
    optsRef.current = opts
  })

  const getRange = useCallback((): TimeRange => timeRange.get() ?? optsRef.current.bounds, [timeRange])

  useEffect(() => timeRange.subscribe(() => optsRef.current.onRangeChange()), [timeRange])

  useEffect(() => {
    const el = opts.targetRef.current
    if (!el) return
    let drag: { x: number; range: TimeRange; moved: boolean; id: number } | undefined
    const local = (e: MouseEvent): { x: number; y: number } => {
      const r = el.getBoundingClientRect()
      return { x: e.clientX - r.left, y: e.clientY - r.top }
    }
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      const o = optsRef.current
      if (o.onWheel?.(e)) return
      const { x } = local(e)
      const range = getRange()
      const frac = Math.min(1, Math.max(0, (x - o.plotLeft) / o.plotWidth))
      const anchor = range.start + frac * (range.end - range.start)
      const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY
      timeRange.set(limited(zoomRange(range, Math.exp(delta * 0.0015), anchor, o.bounds), anchor, o))
    }
    const onDown = (e: PointerEvent): void => {
      if (e.button !== 0) return
      drag = { x: e.clientX, range: getRange(), moved: false, id: e.pointerId }
      el.setPointerCapture(e.pointerId)
    }
    const onMove = (e: PointerEvent): void => {
      const o = optsRef.current
      if (drag) {
        const dx = e.clientX - drag.x
        if (!drag.moved && Math.abs(dx) < DRAG_THRESHOLD_PX) return
        drag.moved = true
        const span = drag.range.end - drag.range.start
        timeRange.set(panRange(drag.range, (-dx / o.plotWidth) * span, o.bounds))
        o.onHover?.(undefined)
      } else {
        o.onHover?.(local(e))
      }
    }
    const onUp = (e: PointerEvent): void => {
      if (!drag) return
      const wasDrag = drag.moved
      if (el.hasPointerCapture(drag.id)) el.releasePointerCapture(drag.id)
      drag = undefined
      if (!wasDrag) {
        const { x, y } = local(e)
        optsRef.current.onClick?.(x, y, e)
      }
    }
    const onLeave = (): void => {
      if (!drag) optsRef.current.onHover?.(undefined)
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    el.addEventListener('pointerdown', onDown)
    el.addEventListener('pointermove', onMove)
    el.addEventListener('pointerup', onUp)
    el.addEventListener('pointercancel', onUp)
    el.addEventListener('pointerleave', onLeave)
    return () => {
      el.removeEventListener('wheel', onWheel)
      el.removeEventListener('pointerdown', onDown)
      el.removeEventListener('pointermove', onMove)
      el.removeEventListener('pointerup', onUp)
      el.removeEventListener('pointercancel', onUp)
      el.removeEventListener('pointerleave', onLeave)
    }
  }, [opts.targetRef, getRange, timeRange])

  const zoom = useCallback(
    (factor: number) => {
      const r = getRange()
      const anchor = (r.start + r.end) / 2
      timeRange.set(limited(zoomRange(r, factor, anchor, optsRef.current.bounds), anchor, optsRef.current))
    },
    [getRange, timeRange],
  )
  const reset = useCallback(() => timeRange.set(undefined), [timeRange])
  return { getRange, zoom, reset }
}

function limited(r: TimeRange, anchor: number, o: TimeNavigationOptions): TimeRange {
  return o.maxSpan === undefined ? r : limitSpan(r, o.maxSpan, anchor, o.bounds)
}
