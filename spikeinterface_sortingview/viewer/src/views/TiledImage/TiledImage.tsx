// TiledImage: a deep-zoom image pyramid (tiles "z_j_k"), loading only the tiles on screen.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useCanvasDraw } from '../../draw/canvas'
import { useFigure } from '../../figure/FigureContext'
import { list, num, rec } from '../decode'
import { resolveUrl } from '../shared/useResolvedUrl'
import { defineView, type ViewProps } from '../viewDefinition'

export interface TiledImageLayer {
  label: string
  tileSize: number
  width: number
  height: number
  /** The highest level; it holds the image at full resolution (Deep Zoom numbering). */
  numZoomLevels: number
  imageFiles: Map<string, string>
}

export function decodeTiledImage(raw: Record<string, unknown>): { layers: TiledImageLayer[] } {
  return {
    layers: list(raw.layers, 'layers').map((x, i) => {
      const p = `layers[${i}]`
      const r = rec(x, p)
      const files = new Map<string, string>()
      for (const [k, v] of Object.entries(rec(r.imageFiles, `${p}.imageFiles`))) if (typeof v === 'string') files.set(k, v)
      return {
        label: typeof r.label === 'string' ? r.label : `layer ${i}`,
        tileSize: num(r.tileSize, `${p}.tileSize`),
        width: num(r.width, `${p}.width`),
        height: num(r.height, `${p}.height`),
        numZoomLevels: num(r.numZoomLevels, `${p}.numZoomLevels`),
        imageFiles: files,
      }
    }),
  }
}

interface ViewPort {
  /** screen pixels per full-resolution image pixel */
  scale: number
  /** image coordinate at the view's top-left corner */
  x: number
  y: number
}

function TiledImageView({ data, width, height }: ViewProps<{ layers: TiledImageLayer[] }>) {
  const { host } = useFigure()
  const [layerIndex, setLayerIndex] = useState(0)
  const layer = data.layers[layerIndex]
  const tiles = useRef(new Map<string, HTMLImageElement | 'loading' | 'failed'>())
  const [vp, setVp] = useState<ViewPort | undefined>(undefined)
  const [loadedCount, setLoadedCount] = useState(0)
  const viewH = height - 28

  const fit = useMemo((): ViewPort | undefined => {
    if (!layer) return undefined
    const scale = Math.min(width / layer.width, viewH / layer.height)
    return { scale, x: -(width / scale - layer.width) / 2, y: -(viewH / scale - layer.height) / 2 }
  }, [layer, width, viewH])
  const view = vp ?? fit

  useEffect(() => setVp(undefined), [layerIndex])

  const requestTile = useCallback(
    (key: string, uri: string) => {
      tiles.current.set(key, 'loading')
      resolveUrl(host, uri).then(
        (url) => {
          const img = new Image()
          img.onload = () => {
            tiles.current.set(key, img)
            setLoadedCount((c) => c + 1) // redraw with the new tile
          }
          img.onerror = () => tiles.current.set(key, 'failed')
          img.src = url
        },
        () => tiles.current.set(key, 'failed'),
      )
    },
    [host],
  )

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      if (!layer || !view) return
      const N = layer.numZoomLevels
      const dpr = window.devicePixelRatio || 1
      // The level whose pixels are closest to screen pixels (never beyond full resolution).
      const z = Math.max(1, Math.min(N, N + Math.ceil(Math.log2(view.scale * dpr))))
      // Draw a coarse level first so there is never a blank hole while finer tiles load.
      for (const level of z > 1 ? [Math.max(1, z - 3), z] : [z]) {
        const factor = Math.pow(2, N - level) // full-res pixels per level pixel
        const span = layer.tileSize * factor
        const j0 = Math.max(0, Math.floor(view.x / span))
        const j1 = Math.ceil((view.x + width / view.scale) / span)
        const k0 = Math.max(0, Math.floor(view.y / span))
        const k1 = Math.ceil((view.y + viewH / view.scale) / span)
        for (let j = j0; j < j1; j++) {
          for (let k = k0; k < k1; k++) {
            const key = `${level}_${j}_${k}`
            const uri = layer.imageFiles.get(key)
            if (!uri) continue
            const tile = tiles.current.get(`${layerIndex}:${key}`)
            if (tile === undefined) requestTile(`${layerIndex}:${key}`, uri)
            if (!(tile instanceof HTMLImageElement)) continue
            const sx = (j * span - view.x) * view.scale
            const sy = (k * span - view.y) * view.scale
            ctx.drawImage(tile, sx, sy, tile.naturalWidth * factor * view.scale, tile.naturalHeight * factor * view.scale)
          }
        }
      }
    },
    [layer, view, width, viewH, layerIndex, requestTile],
  )
  const { canvasRef } = useCanvasDraw(draw, width, viewH, [draw, loadedCount])

  // Wheel zooms around the cursor; drag pans.
  useEffect(() => {
    const el = canvasRef.current
    if (!el || !view) return
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      const r = el.getBoundingClientRect()
      const mx = e.clientX - r.left
      const my = e.clientY - r.top
      setVp((cur) => {
        const v = cur ?? view
        const scale = Math.min(8, Math.max((fit?.scale ?? v.scale) / 2, v.scale * Math.exp(-e.deltaY * 0.0015)))
        return { scale, x: v.x + mx / v.scale - mx / scale, y: v.y + my / v.scale - my / scale }
      })
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => el.removeEventListener('wheel', onWheel)
  }, [canvasRef, view, fit])
  const drag = useRef<{ x: number; y: number; vp: ViewPort }>(undefined)

  if (!layer) return <div className="view-message">This tiled image has no layers.</div>
  return (
    <div className="view-column">
      <div className="view-toolbar">
        {data.layers.length > 1 && (
          <select value={layerIndex} onChange={(e) => setLayerIndex(Number(e.target.value))}>
            {data.layers.map((l, i) => (
              <option key={i} value={i}>
                {l.label}
              </option>
            ))}
          </select>
        )}
        <span className="muted">
          {layer.label} · {layer.width}×{layer.height}px
        </span>
        <button type="button" onClick={() => setVp(undefined)}>
          fit
        </button>
      </div>
      <canvas
        ref={canvasRef}
        className="interactive-canvas"
        onPointerDown={(e) => {
          if (view) drag.current = { x: e.clientX, y: e.clientY, vp: view }
          e.currentTarget.setPointerCapture(e.pointerId)
        }}
        onPointerMove={(e) => {
          const d = drag.current
          if (d) setVp({ scale: d.vp.scale, x: d.vp.x - (e.clientX - d.x) / d.vp.scale, y: d.vp.y - (e.clientY - d.y) / d.vp.scale })
        }}
        onPointerUp={() => (drag.current = undefined)}
      />
    </div>
  )
}

export const tiledImageView = defineView(decodeTiledImage, TiledImageView, { showsSelection: false })
