// Zoom and pan over a probe drawing: a long probe fitted whole to a panel is a thin stripe, so the wheel
// zooms in around the cursor (equal scales kept) and a drag moves along the probe.
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ChannelLocations } from '../decode'
import { electrodePitch, type ProbeTransform } from './probeTransform'

/** Screen = fitted screen * zoom + offset. */
export interface ProbeZoom {
  zoom: number
  ox: number
  oy: number
}

export const FIT: ProbeZoom = { zoom: 1, ox: 0, oy: 0 }
const MAX_ZOOM = 64
/** A press that moves less than this (px) is a click, not a drag. */
const DRAG_PX = 3

export function zoomedTransform(t: ProbeTransform, z: ProbeZoom): ProbeTransform {
  if (z === FIT) return t
  return {
    ...t,
    scale: t.scale * z.zoom,
    scaleX: t.scaleX * z.zoom,
    scaleY: t.scaleY * z.zoom,
    toScreen: (x, y) => {
      const [sx, sy] = t.toScreen(x, y)
      return [sx * z.zoom + z.ox, sy * z.zoom + z.oy]
    },
    toProbe: (sx, sy) => t.toProbe((sx - z.ox) / z.zoom, (sy - z.oy) / z.zoom),
  }
}

/** Zoom by `factor` keeping the point under (mx, my) in place; never below the fitted view. */
export function zoomAt(z: ProbeZoom, mx: number, my: number, factor: number): ProbeZoom {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, z.zoom * factor))
  if (zoom === 1) return FIT
  // The fitted-screen point under the cursor stays under it: m = s * zoom + o.
  const sx = (mx - z.ox) / z.zoom
  const sy = (my - z.oy) / z.zoom
  return { zoom, ox: mx - sx * zoom, oy: my - sy * zoom }
}

export interface ProbeZoomControls {
  transform: ProbeTransform
  zoomed: boolean
  reset: () => void
  /** Spread on the probe's canvas: its class, `data-zoomed` and the pointer handlers that pan. */
  canvasProps: {
    className: string
    'data-zoomed': 'true' | 'false'
    onPointerDown: (e: React.PointerEvent) => void
    onPointerMove: (e: React.PointerEvent) => void
    onPointerUp: (e: React.PointerEvent) => void
  }
  /** True right after a drag ended: the click that follows it is not a click on the plot. */
  wasDrag: () => boolean
}

/** Electrodes a few pixels apart (a long probe fitted whole): worth saying that the drawing zooms. */
export function isCrowded(locations: ChannelLocations, fitted: ProbeTransform): boolean {
  return electrodePitch(locations) * fitted.scale < 8
}

/** Zoom state over the fitted transform `base`: pointer handlers pan, `useProbeZoomWheel` zooms. */
export function useProbeZoom(base: ProbeTransform): ProbeZoomControls & { setZoom: (f: (z: ProbeZoom) => ProbeZoom) => void } {
  const [z, setZ] = useState<ProbeZoom>(FIT)
  const drag = useRef<{ x: number; y: number; start: ProbeZoom; moved: boolean }>(undefined)
  const dragged = useRef(false)

  const onPointerDown = useCallback(
    (e: React.PointerEvent) => {
      drag.current = { x: e.clientX, y: e.clientY, start: z, moved: false }
      dragged.current = false
    },
    [z],
  )
  const onPointerMove = useCallback((e: React.PointerEvent) => {
    const d = drag.current
    if (!d) return
    const dx = e.clientX - d.x
    const dy = e.clientY - d.y
    if (!d.moved && Math.hypot(dx, dy) < DRAG_PX) return
    if (d.start.zoom === 1) return // the fitted view shows everything: nothing to pan to
    d.moved = true
    setZ({ ...d.start, ox: d.start.ox + dx, oy: d.start.oy + dy })
  }, [])
  const onPointerUp = useCallback(() => {
    dragged.current = drag.current?.moved ?? false
    drag.current = undefined
  }, [])

  const transform = useMemo(() => zoomedTransform(base, z), [base, z])
  return {
    transform,
    zoomed: z !== FIT,
    reset: useCallback(() => setZ(FIT), []),
    canvasProps: { className: 'interactive-canvas', 'data-zoomed': z === FIT ? 'false' : 'true', onPointerDown, onPointerMove, onPointerUp },
    wasDrag: () => dragged.current,
    setZoom: setZ,
  }
}

/** The wheel zooms around the cursor on `canvasRef` (not the page's scroll); a double-click fits again. */
export function useProbeZoomWheel(canvasRef: RefObject<HTMLCanvasElement | null>, setZoom: (f: (z: ProbeZoom) => ProbeZoom) => void): void {
  useEffect(() => {
    const el = canvasRef.current
    if (!el) return
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      const r = el.getBoundingClientRect()
      setZoom((cur) => zoomAt(cur, e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.002)))
    }
    const onDoubleClick = (): void => setZoom(() => FIT)
    el.addEventListener('wheel', onWheel, { passive: false })
    el.addEventListener('dblclick', onDoubleClick)
    return () => {
      el.removeEventListener('wheel', onWheel)
      el.removeEventListener('dblclick', onDoubleClick)
    }
  }, [canvasRef, setZoom])
}
