// Resolves figure data URIs (sha1://, kachery:, http(s)://) to URLs on the runner that serves this page
// (runnerBase: its origin, with the path prefix a proxy serves it under).

export class FigureUriError extends Error {}

const SHA1 = /^[0-9a-f]{40}$/

/** Returns the URL to GET for a data URI, or throws FigureUriError with a readable message. */
export function urlForDataUri(uri: string, runnerBase: string): string {
  if (uri.startsWith('http://') || uri.startsWith('https://')) return uri
  if (uri.startsWith('sha1://')) {
    // sha1://<hash>[/<name>][?label=...]
    const hash = uri.slice('sha1://'.length).split(/[/?]/)[0]?.toLowerCase() ?? ''
    if (!SHA1.test(hash)) throw new FigureUriError(`Not a valid sha1 URI: ${uri}`)
    return `${runnerBase}/sha1/${hash}`
  }
  if (uri.startsWith('kachery:')) {
    // kachery:<zone>:sha1:<hash>[:<label>]
    const parts = uri.split(':')
    const hash = parts[3]?.toLowerCase() ?? ''
    if (parts[2] !== 'sha1' || !SHA1.test(hash)) throw new FigureUriError(`Not a valid kachery URI: ${uri}`)
    return `${runnerBase}/sha1/${hash}`
  }
  if (uri.startsWith('gs://') || uri.startsWith('gh://') || uri.startsWith('ipfs://')) {
    throw new FigureUriError(`${uri} can only be read with network access to a remote service, which this local server does not have.`)
  }
  throw new FigureUriError(`Unrecognized data URI: ${uri}`)
}
