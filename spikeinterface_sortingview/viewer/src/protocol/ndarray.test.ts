import { describe, expect, it } from 'vitest'
import { decodeNdarrays, decodeNdarraySync, decodeNdarraysNested, type EncodedNdarray, NdArray } from './ndarray'

const b64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))

/** zlib-framed deflate, as Python's zlib.compress writes it. */
async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

describe('ndarray decoding', () => {
  it('decodes data_b64 little-endian arrays with their shape', async () => {
    const values = new Float32Array([1.5, -2, 3, 4, 5, 6])
    const enc = { _type: 'ndarray', shape: [2, 3], dtype: 'float32', data_b64: b64(new Uint8Array(values.buffer)) }
    const out = (await decodeNdarrays({ a: [enc] })) as { a: NdArray[] }
    const arr = out.a[0] as NdArray
    expect(arr.shape).toEqual([2, 3])
    expect(Array.from(arr.data)).toEqual([1.5, -2, 3, 4, 5, 6])
    expect(Array.from(arr.row(1))).toEqual([4, 5, 6])
  })

  it('inflates data_gzip_b64 (zlib framing) for every dtype', async () => {
    const cases = [
      ['uint8', new Uint8Array([1, 2, 255])],
      ['int16', new Int16Array([-3, 4, 300])],
      ['uint16', new Uint16Array([65535, 0, 7])],
      ['int32', new Int32Array([-100000, 2, 3])],
      ['uint32', new Uint32Array([4000000000, 1, 2])],
      ['float64', new Float64Array([0.1, -1e300, 2])],
    ] as const
    for (const [dtype, arr] of cases) {
      const raw = new Uint8Array(arr.buffer)
      const enc = { _type: 'ndarray', shape: [3], dtype, data_gzip_b64: b64(await deflate(raw)) }
      const out = (await decodeNdarrays(enc)) as NdArray
      expect(Array.from(out.data)).toEqual(Array.from(arr))
    }
  })

  it('inflates a large array (the browser\'s inflater) to the same values', async () => {
    // random values barely compress, so the compressed bytes stay above the native threshold
    const values = new Float32Array(80_000).map((_, i) => Math.sin(i * 12.9898) * 43758.5453)
    const enc = { _type: 'ndarray', shape: [values.length], dtype: 'float32', data_gzip_b64: b64(await deflate(new Uint8Array(values.buffer))) }
    const out = (await decodeNdarrays(enc)) as NdArray
    expect(out.data.length).toBe(values.length)
    expect(out.data.every((v, i) => v === values[i])).toBe(true)
  })

  it('decodes equal encodings once, and catches a compressed array whose shape says another size', async () => {
    const counts = new Int32Array(50).map((_, i) => (i * 7) % 13)
    const enc = { _type: 'ndarray', shape: [50], dtype: 'int32', data_gzip_b64: b64(await deflate(new Uint8Array(counts.buffer))) }
    const out = (await decodeNdarrays([enc, { ...enc }, enc])) as NdArray[]
    expect(Array.from((out[0] as NdArray).data)).toEqual(Array.from(counts))
    expect(out[1]).toBe(out[0])
    expect(out[2]).toBe(out[0])
    await expect(decodeNdarrays({ ...enc, shape: [40] })).rejects.toThrow(/shape|multiple/)
    await expect(decodeNdarrays({ ...enc, shape: [60] })).rejects.toThrow(/shape/)
  })

  it('leaves the arrays of lazy fields encoded, and decodes them later to the same values', async () => {
    const counts = new Int32Array(50).map((_, i) => (i * 7) % 13)
    const enc: EncodedNdarray = { _type: 'ndarray', shape: [50], dtype: 'int32', data_gzip_b64: b64(await deflate(new Uint8Array(counts.buffer))) }
    const raw = { pairs: [{ binCounts: enc, other: enc }], binCounts: [1, 2] }
    const out = (await decodeNdarrays(raw, new Set(['binCounts']))) as { pairs: { binCounts: unknown; other: NdArray }[]; binCounts: number[] }
    const pair = out.pairs[0] as { binCounts: unknown; other: NdArray }
    expect(pair.binCounts).toBe(enc)
    expect(Array.from(pair.other.data)).toEqual(Array.from(counts))
    expect(out.binCounts).toEqual([1, 2])
    expect(Array.from(decodeNdarraySync(enc).data)).toEqual(Array.from(counts))
    const plain: EncodedNdarray = { _type: 'ndarray', shape: [2], dtype: 'float32', data_b64: b64(new Uint8Array(new Float32Array([1.5, -2]).buffer)) }
    expect(Array.from(decodeNdarraySync(plain).data)).toEqual([1.5, -2])
    expect(() => decodeNdarraySync({ ...enc, shape: [60] })).toThrow(/shape/)
  })

  it('gives legacy views nested rows when the host decodes', async () => {
    const values = new Int32Array([1, 2, 3, 4])
    const enc = { _type: 'ndarray', shape: [2, 2], dtype: 'int32', data_b64: b64(new Uint8Array(values.buffer)) }
    const out = (await decodeNdarraysNested({ x: enc })) as { x: Int32Array[] }
    expect(out.x.map((r) => Array.from(r))).toEqual([[1, 2], [3, 4]])
  })

  it('rejects int64 and shape mismatches', async () => {
    await expect(decodeNdarrays({ _type: 'ndarray', shape: [1], dtype: 'int64', data_b64: b64(new Uint8Array(8)) })).rejects.toThrow(/dtype/)
    expect(() => decodeNdarrays({ _type: 'ndarray', shape: [3], dtype: 'uint8', data_b64: b64(new Uint8Array(2)) })).rejects.toThrow(/shape/)
  })
})
