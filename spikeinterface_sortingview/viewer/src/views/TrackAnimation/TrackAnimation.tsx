// TrackAnimation: the track's bins, the decoded position probability and the animal (with its head direction)
// frame by frame, played back in real time (or faster/slower) or moved with a frame slider.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useCanvasDraw } from '../../draw/canvas'
import { drawColorBar, viridis } from '../../draw/colorScale'
import { frameAtTime } from '../DecodedLinearPositionData/sparseFrames'
import { defineView, type ViewProps } from '../viewDefinition'
import { decodedFrame, decodeTrackAnimation, type TrackAnimationData } from './data'
import './trackAnimation.css'

const CONTROLS_HEIGHT = 38
const MARGIN = { left: 12, right: 78, top: 12, bottom: 12 }
const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32]
const TRACK_COLOR = '#d4d4d4'
const ANIMAL_COLOR = '#e8202a'
const TRAIL_SEC = 1

interface Frame {
  /** Data to canvas (CSS pixel) transform with equal x and y scales, y up */
  sx: (x: number) => number
  sy: (y: number) => number
  scale: number
}

function useTransform(data: TrackAnimationData, width: number, height: number): Frame {
  return useMemo(() => {
    const w = Math.max(10, width - MARGIN.left - MARGIN.right)
    const h = Math.max(10, height - MARGIN.top - MARGIN.bottom)
    const scale = Math.min(w / (data.xmax - data.xmin), h / (data.ymax - data.ymin))
    const ox = MARGIN.left + (w - scale * (data.xmax - data.xmin)) / 2
    const oy = MARGIN.top + (h - scale * (data.ymax - data.ymin)) / 2
    return {
      sx: (x: number) => ox + (x - data.xmin) * scale,
      sy: (y: number) => oy + (data.ymax - y) * scale,
      scale,
    }
  }, [data, width, height])
}

function TrackAnimationView({ data, width, height }: ViewProps<TrackAnimationData>) {
  const numFrames = data.timestamps.length
  const [frame, setFrame] = useState(0)
  const [playing, setPlaying] = useState(false)
  const [speed, setSpeed] = useState(1)
  // Moving the slider while playing restarts playback from the chosen frame.
  const [seeks, setSeeks] = useState(0)
  const canvasH = Math.max(40, height - CONTROLS_HEIGHT)
  const tf = useTransform(data, width, canvasH)
  const drawnAt = useRef<[number, number] | undefined>(undefined)

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      const { sx, sy, scale } = tf
      ctx.fillStyle = TRACK_COLOR
      const bw = data.binWidth * scale
      const bh = data.binHeight * scale
      for (let i = 0; i < data.cornerX.length; i++) ctx.fillRect(sx(data.cornerX[i] as number), sy(data.cornerY[i] as number), bw, bh)
      let peak = 0
      if (data.decoded) {
        const g = data.decoded
        const d = decodedFrame(g, frame)
        peak = d.peak
        const w = g.binWidth * scale
        const h = g.binHeight * scale
        for (let k = 0; k < d.values.length; k++) {
          ctx.fillStyle = viridis((d.values[k] as number) / Math.max(1, d.peak))
          ctx.fillRect(sx((d.cx[k] as number) - g.binWidth / 2), sy((d.cy[k] as number) + g.binHeight / 2), w, h)
        }
        drawColorBar(ctx, { left: width - MARGIN.right + 12, top: MARGIN.top, width: 12, height: Math.min(200, canvasH - MARGIN.top - MARGIN.bottom) }, 0, Math.max(peak, 1) / 255, 'probability')
      }
      drawTrail(ctx, data, frame, sx, sy)
      const ax = data.x[frame] as number
      const ay = data.y[frame] as number
      drawnAt.current = undefined
      if (Number.isFinite(ax) && Number.isFinite(ay)) {
        const px = sx(ax)
        const py = sy(ay)
        drawnAt.current = [px, py]
        const dir = data.headDirection?.[frame]
        if (dir !== undefined && Number.isFinite(dir)) {
          // Radians in the track's x-y plane; the canvas's y points down.
          ctx.strokeStyle = '#222'
          ctx.lineWidth = 2.5
          ctx.beginPath()
          ctx.moveTo(px, py)
          ctx.lineTo(px + 20 * Math.cos(dir), py - 20 * Math.sin(dir))
          ctx.stroke()
        }
        ctx.fillStyle = ANIMAL_COLOR
        ctx.strokeStyle = '#fff'
        ctx.lineWidth = 1.5
        ctx.beginPath()
        ctx.arc(px, py, 6, 0, 2 * Math.PI)
        ctx.fill()
        ctx.stroke()
      }
      const canvas = ctx.canvas as HTMLCanvasElement
      if (canvas.dataset) canvas.dataset.animalPx = drawnAt.current ? drawnAt.current.map((v) => v.toFixed(1)).join(',') : ''
    },
    [tf, data, frame, width, canvasH],
  )
  const { canvasRef } = useCanvasDraw(draw, width, canvasH, [draw])

  usePlayback(data, playing, speed, seeks, frame, setFrame, setPlaying)

  const time = data.timestampStart + ((data.timestamps[frame] as number) ?? 0)
  return (
    <div
      className="track-animation"
      data-testid="track-animation"
      data-frame={frame}
      data-time={time}
      data-playing={playing ? 'true' : 'false'}
      tabIndex={0}
      onKeyDown={(e) => {
        // Space plays or pauses; the arrows step one frame (with shift, one second). The controls keep their own
        // keys (a focused button already toggles on space, the slider already steps on the arrows).
        if (e.target !== e.currentTarget) return
        if (e.key === ' ') setPlaying((p) => !p)
        else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          const step = (e.shiftKey ? Math.round(data.framesPerSecond) : 1) * (e.key === 'ArrowLeft' ? -1 : 1)
          setFrame(Math.min(numFrames - 1, Math.max(0, frame + step)))
          setSeeks((n) => n + 1)
        } else return
        e.preventDefault()
      }}
    >
      <canvas ref={canvasRef} />
      <div className="track-animation-controls" style={{ height: CONTROLS_HEIGHT }}>
        <button type="button" data-testid="play-button" title={playing ? 'Pause' : 'Play'} onClick={() => setPlaying((p) => !p)} disabled={numFrames < 2}>
          {playing ? '❚❚' : '▶'}
        </button>
        <input
          type="range"
          data-testid="frame-slider"
          aria-label="frame"
          min={0}
          max={Math.max(0, numFrames - 1)}
          step={1}
          value={frame}
          onChange={(e) => {
            setFrame(Number(e.target.value))
            setSeeks((n) => n + 1)
          }}
        />
        <select data-testid="speed-select" aria-label="playback speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
        <span className="track-animation-time" data-testid="current-time">
          t = {time.toFixed(3)} s · frame {frame + 1}/{numFrames}
        </span>
      </div>
    </div>
  )
}

/** The last second of the animal's path, fading out. */
function drawTrail(ctx: CanvasRenderingContext2D, data: TrackAnimationData, frame: number, sx: (x: number) => number, sy: (y: number) => number): void {
  const t = data.timestamps[frame] as number
  const first = data.timestampsAscending ? frameAtTime(data.timestamps, t - TRAIL_SEC) : Math.max(0, frame - Math.round(data.framesPerSecond * TRAIL_SEC))
  ctx.save()
  ctx.strokeStyle = 'rgba(232, 32, 42, 0.45)'
  ctx.lineWidth = 2
  ctx.beginPath()
  let pen = false
  for (let i = first; i <= frame; i++) {
    const x = data.x[i] as number
    const y = data.y[i] as number
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false
      continue
    }
    if (pen) ctx.lineTo(sx(x), sy(y))
    else ctx.moveTo(sx(x), sy(y))
    pen = true
  }
  ctx.stroke()
  ctx.restore()
}

/**
 * Advances the frame while playing: by the timestamps (real time times `speed`) when they rise, else at
 * `framesPerSecond` times `speed`. Stops at the last frame.
 */
function usePlayback(
  data: TrackAnimationData,
  playing: boolean,
  speed: number,
  seeks: number,
  frame: number,
  setFrame: (f: number) => void,
  setPlaying: (p: boolean) => void,
): void {
  const frameRef = useRef(frame)
  useEffect(() => {
    frameRef.current = frame
  }, [frame])
  useEffect(() => {
    if (!playing) return
    const n = data.timestamps.length
    let startFrame = frameRef.current
    if (startFrame >= n - 1) startFrame = 0 // play again from the start
    const t0 = data.timestamps[startFrame] as number
    let wallStart: number | undefined
    let handle = 0
    const step = (now: number): void => {
      if (wallStart === undefined) wallStart = now
      const elapsed = ((now - wallStart) / 1000) * speed
      const next = data.timestampsAscending ? frameAtTime(data.timestamps, t0 + elapsed) : Math.min(n - 1, startFrame + Math.floor(elapsed * data.framesPerSecond))
      if (next !== frameRef.current) setFrame(next)
      if (next >= n - 1) {
        setPlaying(false)
        return
      }
      handle = requestAnimationFrame(step)
    }
    handle = requestAnimationFrame(step)
    return () => cancelAnimationFrame(handle)
  }, [playing, speed, seeks, data, setFrame, setPlaying])
}

export const trackAnimationView = defineView(decodeTrackAnimation, TrackAnimationView, { showsSelection: false })
