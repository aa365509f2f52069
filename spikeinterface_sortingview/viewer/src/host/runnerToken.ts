// The runner's access token: read once from the page's #token= fragment (then removed from the address
// bar, so it is not copied along with the link) or from localStorage, and sent to the runner only.

export const TOKEN_STORAGE_KEY = 'sv-runner-token'

/** Splits `#token=<t>[&...]` into the token and the fragment left without it ('' when nothing is left). */
export function takeTokenFromFragment(hash: string): { token?: string; rest: string } {
  const body = hash.startsWith('#') ? hash.slice(1) : hash
  if (body === '') return { rest: '' }
  const params = new URLSearchParams(body)
  const token = params.get('token')
  if (token === null) return { rest: hash }
  params.delete('token')
  const rest = params.toString()
  return token === '' ? { rest: rest ? '#' + rest : '' } : { token, rest: rest ? '#' + rest : '' }
}

function storage(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined // storage can be blocked (privacy settings, sandboxed frames)
  }
}

/**
 * The token for this page. A token from the fragment is remembered in localStorage: the fragment is
 * stripped from the address, and a reload must still reach the runner.
 */
export function loadRunnerToken(): string | undefined {
  const { token, rest } = takeTokenFromFragment(window.location.hash)
  if (token !== undefined) {
    const url = window.location.pathname + window.location.search + rest
    window.history.replaceState(window.history.state, '', url)
    try {
      storage()?.setItem(TOKEN_STORAGE_KEY, token)
    } catch {
      // quota or blocked storage: the token still works for this page
    }
    return token
  }
  if (window.location.hash !== rest) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search + rest)
  const stored = storage()?.getItem(TOKEN_STORAGE_KEY)
  return stored ? stored : undefined
}

/**
 * Removes `?token=` from the address bar: the runner answered it with a cookie, and the address is what
 * people copy to share the figure.
 */
export function dropTokenFromQuery(): void {
  const query = withoutTokenParam(window.location.search)
  if (query === window.location.search) return
  window.history.replaceState(window.history.state, '', window.location.pathname + query + window.location.hash)
}

/** `search` without its `token=` parameters, the others left exactly as written. */
export function withoutTokenParam(search: string): string {
  const parts = search.replace(/^\?/, '').split('&')
  const kept = parts.filter((part) => part !== '' && !part.startsWith('token='))
  if (kept.length === parts.filter((part) => part !== '').length) return search
  return kept.length ? '?' + kept.join('&') : ''
}

/** Adds `Authorization: Bearer` to requests for the runner's own origin, never to other servers. */
export class RunnerAuth {
  constructor(
    readonly runnerOrigin: string,
    private readonly token: string | undefined,
  ) {}

  headersFor(url: string): Record<string, string> {
    if (!this.token) return {}
    let origin: string
    try {
      origin = new URL(url, this.runnerOrigin).origin
    } catch {
      return {}
    }
    return origin === this.runnerOrigin ? { Authorization: `Bearer ${this.token}` } : {}
  }

  get hasToken(): boolean {
    return this.token !== undefined
  }
}

export const NO_AUTH = new RunnerAuth('', undefined)
