import { describe, expect, it } from 'vitest'
import { urlForDataUri } from './dataUri'
import { splitReply } from './serviceQuery'
import { parseUrlState, withUrlState } from './urlState'
import { resolveViewAddress, runnerBaseUrl } from './viewAddress'

const ORIGIN = 'http://127.0.0.1:8000'
const H = '0123456789abcdef0123456789abcdef01234567'

describe('data URIs', () => {
  it('maps sha1 and kachery URIs to the runner and keeps http URLs', () => {
    expect(urlForDataUri(`sha1://${H}?label=fig.json`, ORIGIN)).toBe(`${ORIGIN}/sha1/${H}`)
    expect(urlForDataUri(`kachery:default:sha1:${H}:fig.json`, ORIGIN)).toBe(`${ORIGIN}/sha1/${H}`)
    expect(urlForDataUri('https://example.org/x.json', ORIGIN)).toBe('https://example.org/x.json')
    expect(() => urlForDataUri('sha1://xyz', ORIGIN)).toThrow(/sha1/)
    expect(() => urlForDataUri('ipfs://abc', ORIGIN)).toThrow(/network/)
  })
})

describe('view addresses', () => {
  it('serves sortingview figures with the bundled view', () => {
    expect(resolveViewAddress('npm://@fi-sci/figurl-sortingview@12/dist', ORIGIN)).toEqual({ url: `${ORIGIN}/viewer/index.html` })
    expect(resolveViewAddress('https://x.org/view', ORIGIN)).toEqual({ url: 'https://x.org/view/index.html' })
    expect(resolveViewAddress('https://x.org/v.html', ORIGIN)).toEqual({ url: 'https://x.org/v.html' })
    const other = resolveViewAddress('gs://figurl/other', ORIGIN)
    expect('error' in other && other.error).toMatch(/gs:\/\/figurl\/other/)
  })
})

describe('a runner under a path prefix (jupyter-server-proxy, a reverse proxy)', () => {
  const PROXIED = 'https://hub.example.org/user/alice/proxy/8931'
  it('takes the host page folder as the runner base', () => {
    expect(runnerBaseUrl(`${PROXIED}/f?v=x&d=sha1://${H}`)).toBe(PROXIED)
    expect(runnerBaseUrl(`${ORIGIN}/f?d=sha1://${H}`)).toBe(ORIGIN)
  })
  it('reads files and the view under the prefix', () => {
    expect(urlForDataUri(`sha1://${H}`, PROXIED)).toBe(`${PROXIED}/sha1/${H}`)
    expect(resolveViewAddress(null, PROXIED)).toEqual({ url: `${PROXIED}/viewer/index.html` })
    expect(resolveViewAddress('/user/alice/proxy/8931/viewer', PROXIED)).toEqual({ url: `${PROXIED}/viewer/index.html` })
    expect('error' in resolveViewAddress('//evil.org/viewer', PROXIED)).toBe(true)
  })
})

describe('url state', () => {
  it('reads encoded and raw JSON', () => {
    expect(parseUrlState('?v=a&s=' + encodeURIComponent('{"a":1}'))).toEqual({ a: 1 })
    expect(parseUrlState('?v=a&s={"sortingCuration":"sha1://abc"}&label=x')).toEqual({ sortingCuration: 'sha1://abc' })
    expect(parseUrlState('?v=a&s={"x":"a&b"}&label=x')).toEqual({ x: 'a&b' })
    expect(parseUrlState('?v=a')).toEqual({})
  })

  it('writes compact sorted JSON, URL-encoded, keeping other parameters', () => {
    const q = withUrlState('?v=npm://x&d=sha1://h&s={"old":1}&label=L', { b: 1, a: { d: 2, c: 3 } })
    expect(q).toBe('?v=npm://x&d=sha1://h&s=' + encodeURIComponent('{"a":{"c":3,"d":2},"b":1}') + '&label=L')
    expect(withUrlState('?d=x', { a: 1 })).toBe('?d=x&s=' + encodeURIComponent('{"a":1}'))
  })
})

describe('service replies', () => {
  it('splits JSON from a binary payload', () => {
    const json = new TextEncoder().encode(JSON.stringify({ type: 'serviceQueryResponse', result: { n: 2 } }))
    const bytes = new Uint8Array([...json, 10, 1, 2, 3, 10])
    const r = splitReply(bytes)
    expect(r.json).toEqual({ type: 'serviceQueryResponse', result: { n: 2 } })
    expect(Array.from(new Uint8Array(r.payload as ArrayBuffer))).toEqual([1, 2, 3, 10])
    expect(splitReply(json).payload).toBeUndefined()
  })
})
