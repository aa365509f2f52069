import { describe, expect, it } from 'vitest'
import { urlForDataUri } from './dataUri'
import { staticFigure } from './staticFigure'

const HASH = '3714e31309e18f08a84bc36c76bb9693756d6b20'

describe('staticFigure', () => {
  it('finds files beside the page, under any path', () => {
    const fig = staticFigure(`d=sha1://${HASH}&label=unit%201`, 'http://127.0.0.1:8000/some/where/export/index.html')
    expect(fig.baseUrl).toBe('http://127.0.0.1:8000/some/where/export')
    expect(fig.params.get('d')).toBe(`sha1://${HASH}`)
    expect(fig.params.get('label')).toBe('unit 1')
    expect(urlForDataUri(fig.params.get('d')!, fig.baseUrl)).toBe(`http://127.0.0.1:8000/some/where/export/sha1/${HASH}`)
  })

  it('reads a folder address without index.html', () => {
    expect(staticFigure(`d=sha1://${HASH}`, 'https://user.github.io/figs/a/').baseUrl).toBe('https://user.github.io/figs/a')
  })

  it('lets the address bar state (the curation) win over the exported one', () => {
    const fig = staticFigure(`d=sha1://${HASH}&s=%7B%22a%22%3A1%7D`, 'http://h/x/?s=%7B%22a%22%3A2%7D')
    expect(fig.params.get('s')).toBe('{"a":2}')
    expect(fig.params.get('d')).toBe(`sha1://${HASH}`)
  })
})
