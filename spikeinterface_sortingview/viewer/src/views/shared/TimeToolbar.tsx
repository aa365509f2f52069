// Zoom buttons for time-axis views (wheel and drag do the same).

export function TimeToolbar({ zoom, reset }: { zoom: (factor: number) => void; reset: () => void }) {
  return (
    <div className="time-toolbar">
      <button type="button" title="Zoom in" onClick={() => zoom(0.5)}>
        +
      </button>
      <button type="button" title="Zoom out" onClick={() => zoom(2)}>
        −
      </button>
      <button type="button" title="Show the whole recording" onClick={reset}>
        fit
      </button>
    </div>
  )
}
