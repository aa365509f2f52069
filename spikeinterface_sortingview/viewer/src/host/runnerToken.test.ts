import { afterEach, describe, expect, it, vi } from 'vitest'
import { RunnerAuth, takeTokenFromFragment, withoutTokenParam } from './runnerToken'
import { serviceQuery } from './serviceQuery'

describe('runner token', () => {
  it('takes the token out of the fragment and keeps the rest', () => {
    expect(takeTokenFromFragment('#token=abc')).toEqual({ token: 'abc', rest: '' })
    expect(takeTokenFromFragment('#x=1&token=a%2Bb')).toEqual({ token: 'a+b', rest: '#x=1' })
    expect(takeTokenFromFragment('#section')).toEqual({ rest: '#section' })
    expect(takeTokenFromFragment('')).toEqual({ rest: '' })
  })

  it('is sent to the runner only, never to other servers', () => {
    const auth = new RunnerAuth('http://127.0.0.1:8000', 'tok')
    expect(auth.headersFor('http://127.0.0.1:8000/sha1/abc')).toEqual({ Authorization: 'Bearer tok' })
    expect(auth.headersFor('/api')).toEqual({ Authorization: 'Bearer tok' })
    expect(auth.headersFor('https://example.org/data.json')).toEqual({})
    expect(new RunnerAuth('http://127.0.0.1:8000', undefined).headersFor('http://127.0.0.1:8000/api')).toEqual({})
  })
})

describe('service queries', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('posts with the token and passes the status of a runner without compute', async () => {
    const seen: RequestInit[] = []
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.push(init)
      return new Response(JSON.stringify({ type: 'serviceQueryResponse', errorMessage: 'compute is not available on this runner' }), { status: 503 })
    })
    const r = await serviceQuery({ type: 'serviceQuery', serviceName: 'sortingview', query: { taskName: 't', taskInput: {} } }, 'http://127.0.0.1:8000', new RunnerAuth('http://127.0.0.1:8000', 'tok'))
    expect(r).toMatchObject({ status: 503, errorMessage: 'compute is not available on this runner' })
    expect((seen[0]?.headers as Record<string, string>).Authorization).toBe('Bearer tok')
  })

  it('hands over the binary payload after the JSON line', async () => {
    const json = new TextEncoder().encode(JSON.stringify({ type: 'serviceQueryResponse', result: { numSamples: 1 } }) + '\n')
    vi.stubGlobal('fetch', async () => new Response(new Uint8Array([...json, 0, 0, 128, 63]), { status: 200 }))
    const r = await serviceQuery({ type: 'serviceQuery', serviceName: 'sortingview', query: {} }, 'http://127.0.0.1:8000')
    expect(Array.from(new Float32Array(r.binaryPayload as ArrayBuffer))).toEqual([1])
  })
})

describe('withoutTokenParam', () => {
  it('drops token= and leaves the other parameters as written', () => {
    expect(withoutTokenParam('?v=http://h/viewer&d=sha1://ab&token=secret&s=%7B%7D')).toBe('?v=http://h/viewer&d=sha1://ab&s=%7B%7D')
    expect(withoutTokenParam('?token=secret')).toBe('')
    expect(withoutTokenParam('?d=sha1://ab&label=x')).toBe('?d=sha1://ab&label=x')
  })
})
