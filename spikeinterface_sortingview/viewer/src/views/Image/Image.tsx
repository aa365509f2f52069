// Image: a single picture (data: URL, http URL, or a stored file), fitted to the view.
import { str } from '../decode'
import { ViewMessage } from '../shared/Message'
import { useResolvedUrl } from '../shared/useResolvedUrl'
import { defineView, type ViewProps } from '../viewDefinition'

function ImageView({ data, width, height }: ViewProps<{ url: string }>) {
  const { url, error } = useResolvedUrl(data.url)
  if (error) return <ViewMessage tone="error">{error}</ViewMessage>
  if (!url) return <ViewMessage>Loading image…</ViewMessage>
  return (
    <div className="image-view" style={{ width, height }}>
      <img src={url} alt="figure" />
    </div>
  )
}

export const imageView = defineView((raw) => ({ url: str(raw.url, 'url') }), ImageView, { showsSelection: false })
