// What a zoomable probe drawing shows besides the canvas: a "fit" button once zoomed, else an optional hint.
import type { ProbeZoomControls } from './probeZoom'

export function ProbeZoomButtons({ zoom, hint }: { zoom: ProbeZoomControls; hint: boolean }) {
  if (!zoom.zoomed) return hint ? <div className="view-note-overlay">wheel: zoom · drag: move</div> : null
  return (
    <div className="time-toolbar">
      <button type="button" title="Show the whole probe (double-click)" onClick={zoom.reset}>
        fit
      </button>
    </div>
  )
}
