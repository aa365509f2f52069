// Turns a content URI (sha1://, kachery:) into a URL an <img> can load, via the host.
import { useEffect, useState } from 'react'
import { useFigure } from '../../figure/FigureContext'
import type { HostConnection } from '../../figure/hostConnection'

export function needsHost(uri: string): boolean {
  return uri.startsWith('sha1://') || uri.startsWith('kachery:')
}

export async function resolveUrl(host: HostConnection, uri: string): Promise<string> {
  if (!needsHost(uri)) return uri
  const r = await host.request({ type: 'getFileDataUrl', uri })
  if (!r.fileDataUrl) throw new Error(r.errorMessage ?? `No URL for ${uri}`)
  return r.fileDataUrl
}

export function useResolvedUrl(uri: string): { url?: string; error?: string } {
  const { host } = useFigure()
  const [state, setState] = useState<{ url?: string; error?: string }>(needsHost(uri) ? {} : { url: uri })
  useEffect(() => {
    if (!needsHost(uri)) {
      setState({ url: uri })
      return
    }
    let live = true
    resolveUrl(host, uri).then(
      (url) => live && setState({ url }),
      (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err) }),
    )
    return () => {
      live = false
    }
  }, [host, uri])
  return state
}
