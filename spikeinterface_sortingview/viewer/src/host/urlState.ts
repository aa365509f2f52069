// Reading and writing the figURL's `s=` state parameter (compact JSON, sorted keys).

/** Deterministic compact JSON with keys sorted at every depth (the figURL convention). */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k])
    return out
  }
  return value
}

/** Raw value of a query parameter, exactly as written in the address (not decoded). */
export function rawQueryParam(search: string, name: string): string | undefined {
  const q = search.startsWith('?') ? search.slice(1) : search
  for (const part of splitParams(q)) {
    const eq = part.indexOf('=')
    const key = eq < 0 ? part : part.slice(0, eq)
    if (key === name) return eq < 0 ? '' : part.slice(eq + 1)
  }
  return undefined
}

/**
 * Parses `s` whether the writer URL-encoded it or not. Upstream writes raw JSON, whose
 * `+` or `&` would be mangled by form decoding, so the raw text is tried first.
 */
export function parseUrlState(search: string): Record<string, unknown> {
  const raw = rawQueryParam(search, 's')
  if (raw === undefined || raw === '') return {}
  const candidates = [raw]
  try {
    candidates.push(decodeURIComponent(raw))
  } catch {
    // not percent-encoded; the raw candidate stays
  }
  candidates.push(new URLSearchParams(search).get('s') ?? '')
  for (const c of candidates) {
    try {
      const v: unknown = JSON.parse(c)
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
    } catch {
      // try the next decoding
    }
  }
  return {}
}

/** Returns `search` with `s=` replaced (or added), keeping the other parameters as written. */
export function withUrlState(search: string, state: Record<string, unknown>): string {
  const q = search.startsWith('?') ? search.slice(1) : search
  const encoded = 's=' + encodeURIComponent(sortedJson(state))
  const parts = q === '' ? [] : splitParams(q)
  let replaced = false
  const out = parts.map((p) => {
    if (p === 's' || p.startsWith('s=')) {
      replaced = true
      return encoded
    }
    return p
  })
  if (!replaced) out.push(encoded)
  return '?' + out.join('&')
}

/**
 * Splits the query into parameters. An unencoded JSON `s` may itself contain `&`, so
 * pieces that do not look like `name=` are glued back onto the previous parameter.
 */
function splitParams(q: string): string[] {
  const out: string[] = []
  for (const piece of q.split('&')) {
    if (out.length > 0 && !/^[A-Za-z_][A-Za-z0-9_-]*(=|$)/.test(piece)) out[out.length - 1] += '&' + piece
    else out.push(piece)
  }
  return out
}
