// The name of a sorting's curation journal on the runner: "sorting-" + the 40-hex hash naming the sorting.

const SHA1_URI = /^sha1:\/\/([0-9a-fA-F]{40})(?:[/?]|$)/
const KACHERY_URI = /^kachery:[^:]*:sha1:([0-9a-fA-F]{40})(?::|$)/

/** The content hash inside a sha1:// or kachery: URI, or undefined for other URIs. */
export function uriContentHash(uri: string): string | undefined {
  const m = SHA1_URI.exec(uri) ?? KACHERY_URI.exec(uri)
  return m?.[1]?.toLowerCase()
}

/**
 * Every page showing one sorting must name the same journal, so the name comes from the sorting's URI:
 * its content hash, or (for a URI that carries none) the SHA-1 of the URI text.
 */
export async function journalNameForSorting(sortingUri: string): Promise<string> {
  const embedded = uriContentHash(sortingUri)
  if (embedded) return `sorting-${embedded}`
  if (!globalThis.crypto?.subtle) throw new Error('this page cannot hash the sorting URI (Web Crypto needs a secure context)')
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(sortingUri))
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
  return `sorting-${hex}`
}
