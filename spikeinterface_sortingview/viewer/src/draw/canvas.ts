// Canvas setup at device-pixel resolution and requestAnimationFrame-batched drawing.
import { type DependencyList, type RefObject, useEffect, useLayoutEffect, useRef } from 'react'

/** Sizes the canvas backing store for the screen's pixel ratio; returns a context in CSS pixels. */
export function setupCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1
  const w = Math.max(1, Math.round(width * dpr))
  const h = Math.max(1, Math.round(height * dpr))
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w
    canvas.height = h
  }
  canvas.style.width = `${width}px`
  canvas.style.height = `${height}px`
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.clearRect(0, 0, w, h)
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  return ctx
}

export type DrawFn = (ctx: CanvasRenderingContext2D, width: number, height: number) => void

/**
 * Draws into a canvas on the next animation frame whenever deps change; several changes
 * within one frame cost one draw. Returns the ref to put on the <canvas> and a function
 * that requests a redraw without a React render (for pan/zoom driven by a store).
 */
export function useCanvasDraw(
  draw: DrawFn,
  width: number,
  height: number,
  deps: DependencyList,
): { canvasRef: RefObject<HTMLCanvasElement | null>; requestDraw: () => void } {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const drawRef = useRef(draw)
  const frame = useRef(0)
  useLayoutEffect(() => {
    drawRef.current = draw
  })
  const requestDraw = useRef(() => {
    if (frame.current) return
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      const canvas = canvasRef.current
      if (!canvas) return
      const w = Number(canvas.dataset.cssWidth)
      const h = Number(canvas.dataset.cssHeight)
      if (!(w > 0 && h > 0)) return
      const ctx = setupCanvas(canvas, w, h)
      if (ctx) drawRef.current(ctx, w, h)
    })
  }).current
  useEffect(() => {
    const canvas = canvasRef.current
    if (canvas) {
      canvas.dataset.cssWidth = String(width)
      canvas.dataset.cssHeight = String(height)
    }
    requestDraw()
  }, [width, height, ...deps])
  useEffect(
    () => () => {
      if (frame.current) cancelAnimationFrame(frame.current)
      frame.current = 0
    },
    [],
  )
  return { canvasRef, requestDraw }
}

/** Parses #rgb/#rrggbb (and rgb()) into RGBA bytes packed for a little-endian Uint32 pixel view. */
export function colorToPixel(color: string, alpha = 255): number {
  const [r, g, b] = parseColor(color)
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0
}

const namedColors: Record<string, [number, number, number]> = {
  black: [0, 0, 0], white: [255, 255, 255], red: [255, 0, 0], green: [0, 128, 0], blue: [0, 0, 255],
  gray: [128, 128, 128], grey: [128, 128, 128], orange: [255, 165, 0], purple: [128, 0, 128],
  magenta: [255, 0, 255], cyan: [0, 255, 255], yellow: [255, 255, 0], brown: [165, 42, 42],
}

export function parseColor(color: string): [number, number, number] {
  const c = color.trim().toLowerCase()
  if (c.startsWith('#')) {
    const hex = c.length === 4 ? [...c.slice(1)].map((ch) => ch + ch).join('') : c.slice(1, 7)
    const v = parseInt(hex, 16)
    if (Number.isFinite(v)) return [(v >> 16) & 255, (v >> 8) & 255, v & 255]
  }
  const m = /^rgba?\(([^)]+)\)/.exec(c)
  if (m && m[1]) {
    const [r = 0, g = 0, b = 0] = m[1].split(',').map((s) => Number.parseFloat(s))
    return [r, g, b]
  }
  return namedColors[c] ?? [80, 80, 80]
}

/** Mixes a colour towards white by `amount` (0..1): used to dim unselected units. */
export function fadeColor(color: string, amount: number): string {
  const [r, g, b] = parseColor(color)
  const mix = (v: number): number => Math.round(v + (255 - v) * amount)
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`
}

/**
 * A device-pixel buffer for plots with up to millions of marks: writing pixels into a
 * Uint32Array and one putImageData is far cheaper than a fillRect per mark.
 */
export class PixelBuffer {
  readonly image: ImageData
  readonly pixels: Uint32Array
  readonly width: number
  readonly height: number

  constructor(ctx: CanvasRenderingContext2D) {
    this.width = ctx.canvas.width
    this.height = ctx.canvas.height
    this.image = ctx.createImageData(this.width, this.height)
    this.pixels = new Uint32Array(this.image.data.buffer)
  }

  fillRect(x0: number, y0: number, w: number, h: number, pixel: number): void {
    const xa = Math.max(0, x0 | 0)
    const ya = Math.max(0, y0 | 0)
    const xb = Math.min(this.width, (x0 + w) | 0)
    const yb = Math.min(this.height, (y0 + h) | 0)
    for (let y = ya; y < yb; y++) {
      const row = y * this.width
      for (let x = xa; x < xb; x++) this.pixels[row + x] = pixel
    }
  }

  /** A cleared buffer for this canvas, reused across frames (a new ImageData per frame costs megabytes). */
  static for(ctx: CanvasRenderingContext2D): PixelBuffer {
    const cached = bufferCache.get(ctx.canvas)
    if (cached && cached.width === ctx.canvas.width && cached.height === ctx.canvas.height) {
      cached.pixels.fill(0)
      return cached
    }
    const fresh = new PixelBuffer(ctx)
    bufferCache.set(ctx.canvas, fresh)
    return fresh
  }

  put(ctx: CanvasRenderingContext2D): void {
    ctx.putImageData(this.image, 0, 0)
  }
}

const bufferCache = new WeakMap<HTMLCanvasElement, PixelBuffer>()
