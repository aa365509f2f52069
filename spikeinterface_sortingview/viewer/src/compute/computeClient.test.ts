import { describe, expect, it } from 'vitest'
import type { ServiceQueryResponse } from '../protocol/messages'
import { NdArray } from '../protocol/ndarray'
import { ComputeClient, ComputeError, computeErrorText, failureKind } from './computeClient'

function fakeRunner(answer: (query: Record<string, unknown>) => ServiceQueryResponse) {
  const calls: Record<string, unknown>[] = []
  const client = new ComputeClient(async (serviceName, query) => {
    expect(serviceName).toBe('sortingview')
    calls.push(query)
    return answer(query)
  })
  return { client, calls }
}

describe('compute client', () => {
  it('asks once per (task, input) whatever the key order, and decodes ndarrays', async () => {
    const ints = { _type: 'ndarray', dtype: 'int32', shape: [2], data_b64: btoa(String.fromCharCode(1, 0, 0, 0, 2, 0, 0, 0)) }
    const { client, calls } = fakeRunner(() => ({ type: 'serviceQuery', result: { counts: ints } }))
    const a = await client.run('sortingview.x.1', { a: 1, b: 2 })
    const b = await client.run('sortingview.x.1', { b: 2, a: 1 })
    expect(calls).toHaveLength(1)
    expect(b).toBe(a)
    const counts = (a.result as { counts: NdArray }).counts
    expect(Array.from(counts.data)).toEqual([1, 2])
  })

  it('never caches actions or failures', async () => {
    let fail = true
    const { client, calls } = fakeRunner(() => (fail ? { type: 'serviceQuery', errorMessage: 'compute is not available on this runner', status: 503 } : { type: 'serviceQuery', result: 1 }))
    const err = await client.run('t', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ComputeError)
    expect((err as ComputeError).kind).toBe('unavailable')
    expect(computeErrorText(err, 'the correlograms of 3+7')).toMatch(/no compute service.*3\+7/)
    fail = false
    expect((await client.run('t', {})).result).toBe(1)
    await client.run('act', {}, { cache: false })
    await client.run('act', {}, { cache: false })
    expect(calls).toHaveLength(4)
  })

  it('keeps the binary payload and forgets old answers beyond its byte budget', async () => {
    const client = new ComputeClient(async (_s, q) => ({ type: 'serviceQuery', result: {}, binaryPayload: new ArrayBuffer(Number((q.taskInput as { n: number }).n)) }), {
      maxEntries: 10,
      maxBytes: 100,
    })
    expect((await client.run('t', { n: 60 })).payload?.byteLength).toBe(60)
    await client.run('t', { n: 60 })
    expect(client.size).toBe(1)
  })

  it('tells a runner without compute from a refused or failed request', () => {
    expect(failureKind(503)).toBe('unavailable')
    expect(failureKind(401)).toBe('unauthorized')
    expect(failureKind(400)).toBe('input')
    expect(failureKind(500)).toBe('failed')
    expect(failureKind(undefined)).toBe('unreachable')
  })
})
