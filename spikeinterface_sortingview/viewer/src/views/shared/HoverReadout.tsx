// The small read-out box showing what is under the mouse (unit id, time, value).

export function HoverReadout({ text }: { text: string | undefined }) {
  if (!text) return null
  return (
    <div className="hover-readout" data-testid="hover-readout">
      {text}
    </div>
  )
}
