import { describe, expect, it } from 'vitest'
import { type ChunkEntry, chunksForWindow, decodeBinaryChunk, groupByUnit, isBinaryChunk, runRange, windowRuns } from './amplitudeChunks'
import fixture from './chunkFixture.json'

const chunk = (start: number, end: number, numSpikes: number): ChunkEntry => ({ startTimeSec: start, endTimeSec: end, numSpikes, dataUri: `sha1://${start}` })
const chunks = [chunk(0, 10, 200_000), chunk(10, 20, 200_000), chunk(20, 30, 200_000)]

describe('amplitude chunks', () => {
  it('picks the chunks of a window unless they hold too many spikes', () => {
    expect(chunksForWindow(chunks, 0, 30)).toBeUndefined()
    expect(chunksForWindow(chunks, 12, 25)?.map((c) => c.startTimeSec)).toEqual([10, 20])
    expect(chunksForWindow(chunks, 12, 18)?.map((c) => c.startTimeSec)).toEqual([10])
  })

  it('cuts a window into runs from loaded chunks and from the overview', () => {
    const loaded = { times: [], amplitudes: [] }
    const runs = windowRuns(chunks.slice(0, 2), (uri) => (uri === 'sha1://10' ? loaded : undefined), 5, 15)
    expect(runs.map((r) => [r.start, r.end, r.chunk === loaded])).toEqual([
      [5, 10, false],
      [10, 15, true],
    ])
  })

  it('groups a chunk by unit, each unit in time order', () => {
    const grouped = groupByUnit([1, 2, 3, 4, 5], [-1, -2, -3, -4, -5], [1, 0, 1, 2, 0], 3)
    expect(Array.from(grouped.times[0] ?? [])).toEqual([2, 5])
    expect(Array.from(grouped.amplitudes[1] ?? [])).toEqual([-1, -3])
    expect(Array.from(grouped.times[2] ?? [])).toEqual([4])
    expect(() => groupByUnit([1], [1], [3], 3)).toThrow(/unit index 3/)
  })

  it('reads a binary chunk file: frames from deltas per unit, escaped deltas, amplitude codes', () => {
    // two units (view positions 1 and 3 of 4); unit 1: frames 100, 130, 70,130 (a delta past 65,535); unit 3: 90
    const header = JSON.stringify({
      amplitudeStep: 0.5,
      endTimeSec: 3,
      firstFrame: 90,
      numOverflowDeltas: 1,
      numSpikes: 4,
      numUnits: 2,
      samplingFrequency: 30,
      startTimeSec: 3,
      type: 'SpikeAmplitudesChunk',
    })
    const pad = (n: number) => (8 - (n % 8)) % 8
    const headerBytes = new TextEncoder().encode(header + ' '.repeat(pad(12 + header.length)))
    const sections: ArrayBufferView[] = [
      new Uint32Array([1, 3]),
      new Uint32Array([3, 1]),
      new Int16Array([-10, -32768, 32767, 4]),
      new Uint16Array([10, 30, 0xffff, 0]),
      new Float64Array([70_000]),
    ]
    const size = 12 + headerBytes.length + sections.reduce((n, s) => n + s.byteLength + pad(s.byteLength), 0)
    const bytes = new Uint8Array(size)
    bytes.set(new TextEncoder().encode('SVAMPCH1'))
    new DataView(bytes.buffer).setUint32(8, headerBytes.length, true)
    bytes.set(headerBytes, 12)
    let at = 12 + headerBytes.length
    for (const s of sections) {
      bytes.set(new Uint8Array(s.buffer), at)
      at += s.byteLength + pad(s.byteLength)
    }
    expect(isBinaryChunk(bytes)).toBe(true)
    expect(isBinaryChunk(new TextEncoder().encode('{"type":'))).toBe(false)
    const chunk = decodeBinaryChunk(bytes.buffer, 4)
    expect(Array.from(chunk.times[1] ?? [])).toEqual([100 / 30, 130 / 30, 70_130 / 30].map(Math.fround))
    expect(Array.from(chunk.amplitudes[1] ?? [])).toEqual([-5, NaN, Infinity])
    expect(Array.from(chunk.times[3] ?? [])).toEqual([3])
    expect(Array.from(chunk.amplitudes[3] ?? [])).toEqual([2])
    expect(chunk.times[0]?.length).toBe(0)
    expect(() => decodeBinaryChunk(bytes.buffer, 3)).toThrow(/unit index 3/)
    expect(() => decodeBinaryChunk(bytes.slice(0, size - 16).buffer, 4)).toThrow(/cut short/)
  })

  it('reads the chunk file the Python writer writes (chunkFixture.json, pinned by tests/views/test_amplitude_levels.py)', () => {
    const chunk = decodeBinaryChunk(Uint8Array.from(atob(fixture.base64), (c) => c.charCodeAt(0)).buffer, 4)
    const fs = 25_000
    expect(Array.from(chunk.times[0] ?? [])).toEqual([1_000 / fs, 1_003 / fs].map(Math.fround))
    expect(Array.from(chunk.amplitudes[0] ?? [])).toEqual([-12.5, NaN])
    expect(Array.from(chunk.times[1] ?? [])).toEqual([])
    expect(Array.from(chunk.times[2] ?? [])).toEqual([500 / fs, 100_500 / fs].map(Math.fround))
    expect(Array.from(chunk.amplitudes[2] ?? [])).toEqual([3, Infinity])
    expect(Array.from(chunk.times[3] ?? [])).toEqual([2_000 / fs].map(Math.fround))
    expect(Array.from(chunk.amplitudes[3] ?? [])).toEqual([-Infinity])
  })

  it('includes the end of the last run only', () => {
    const t = [1, 2, 2, 3]
    expect(runRange(t, 1, 2, false)).toEqual([0, 1])
    expect(runRange(t, 1, 2, true)).toEqual([0, 3])
  })
})
