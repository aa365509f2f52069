// Levels of detail of SpikeAmplitudes: the chunks a window needs, loaded once, cached, grouped by unit.
import { lowerBound } from '../../draw/axes'
import { list, num, numbers, type Numbers, rec, str } from '../decode'

/** A chunk as the view names it: consecutive spikes of every unit in [startTimeSec, endTimeSec). */
export interface ChunkEntry {
  startTimeSec: number
  endTimeSec: number
  numSpikes: number
  dataUri: string
}

/** A loaded chunk: per unit (by position in the view's units), its spikes in time order. */
export interface LoadedChunk {
  times: Numbers[]
  amplitudes: Numbers[]
}

/** A stretch of the window drawn from one source: a loaded chunk, or the overview where none is loaded. */
export interface Run {
  start: number
  end: number
  chunk?: LoadedChunk
}

// Spikes a window may hold for its chunks to be drawn point by point: under 10 ms of drawing in Chromium on a
// quiet machine, so that a pan keeps 30 fps on a loaded one (1 M spikes did not: 13 fps at the p95 frame).
export const MAX_WINDOW_SPIKES = 500_000
// Loaded chunks kept (about 10 bytes a spike): 16 chunks of 250,000 spikes are 40 MB.
const CACHE_CHUNKS = 16

export function decodeChunkEntries(raw: unknown): ChunkEntry[] | undefined {
  if (raw === undefined || raw === null) return undefined
  return list(raw, 'chunks').map((x, i) => {
    const r = rec(x, `chunks[${i}]`)
    return {
      startTimeSec: num(r.startTimeSec, `chunks[${i}].startTimeSec`),
      endTimeSec: num(r.endTimeSec, `chunks[${i}].endTimeSec`),
      numSpikes: num(r.numSpikes, `chunks[${i}].numSpikes`),
      dataUri: str(r.dataUri, `chunks[${i}].dataUri`),
    }
  })
}

/** The chunks overlapping [start, end], or undefined when together they hold more than maxSpikes. */
export function chunksForWindow(chunks: ChunkEntry[], start: number, end: number, maxSpikes = MAX_WINDOW_SPIKES): ChunkEntry[] | undefined {
  const needed = chunks.filter((c) => c.startTimeSec <= end && c.endTimeSec >= start)
  let total = 0
  for (const c of needed) total += c.numSpikes
  return total <= maxSpikes ? needed : undefined
}

/** Splits a chunk file's spikes by unit (a counting sort: each unit's spikes stay in time order). */
export function groupByUnit(times: Numbers, amplitudes: Numbers, unitIndices: Numbers, numUnits: number): LoadedChunk {
  const n = times.length
  const starts = new Int32Array(numUnits + 1)
  for (let i = 0; i < n; i++) {
    const u = unitIndices[i] as number
    if (u >= numUnits) throw new Error(`a chunk names unit index ${u}, but the view has ${numUnits} units`)
    starts[u + 1]++
  }
  for (let u = 0; u < numUnits; u++) starts[u + 1] += starts[u] as number
  const next = starts.slice(0, numUnits)
  const t = new Float32Array(n)
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const k = next[unitIndices[i] as number]++
    t[k] = times[i] as number
    a[k] = amplitudes[i] as number
  }
  const out: LoadedChunk = { times: [], amplitudes: [] }
  for (let u = 0; u < numUnits; u++) {
    out.times.push(t.subarray(starts[u], starts[u + 1]))
    out.amplitudes.push(a.subarray(starts[u], starts[u + 1]))
  }
  return out
}

/** Decodes a chunk file written as JSON (ndarrays decoded) into per-unit arrays: chunks written before binary ones. */
export function decodeChunk(raw: Record<string, unknown>, numUnits: number): LoadedChunk {
  const times = numbers(raw.spikeTimesSec, 'spikeTimesSec')
  const amplitudes = numbers(raw.spikeAmplitudes, 'spikeAmplitudes')
  const units = numbers(raw.unitIndices, 'unitIndices')
  if (amplitudes.length !== times.length || units.length !== times.length) {
    throw new Error(`a chunk has ${times.length} spike times, ${amplitudes.length} amplitudes and ${units.length} unit indices`)
  }
  return groupByUnit(times, amplitudes, units, numUnits)
}

// The binary chunk file (docs/figure-format.md, "Binary chunk files"): magic, header length, JSON header, then
// sections from multiples of 8 bytes: unit positions and counts (uint32), amplitude codes (int16), frame deltas
// (uint16, DELTA_ESCAPE followed by the overflow section's float64), overflow deltas.
const CHUNK_MAGIC = 'SVAMPCH1'
const DELTA_ESCAPE = 0xffff
const CODE_NAN = -32768
const CODE_POSITIVE_INFINITY = 32767
const CODE_NEGATIVE_INFINITY = -32767

/** Whether a chunk file is the binary form (else it is JSON, as written before). */
export function isBinaryChunk(bytes: Uint8Array): boolean {
  if (bytes.length < CHUNK_MAGIC.length) return false
  for (let i = 0; i < CHUNK_MAGIC.length; i++) if (bytes[i] !== CHUNK_MAGIC.charCodeAt(i)) return false
  return true
}

/** Decodes a binary chunk file into per-unit arrays (each unit's spikes are stored together, in time order). */
export function decodeBinaryChunk(buffer: ArrayBuffer, numUnits: number): LoadedChunk {
  const bytes = new Uint8Array(buffer)
  if (!isBinaryChunk(bytes)) throw new Error('not a binary SpikeAmplitudes chunk file')
  const headerLength = new DataView(buffer).getUint32(CHUNK_MAGIC.length, true)
  let at = CHUNK_MAGIC.length + 4
  const header = rec(JSON.parse(new TextDecoder().decode(bytes.subarray(at, at + headerLength))), 'chunk header')
  at += headerLength
  const nUnits = num(header.numUnits, 'numUnits')
  const nSpikes = num(header.numSpikes, 'numSpikes')
  const nOverflow = num(header.numOverflowDeltas, 'numOverflowDeltas')
  const fs = num(header.samplingFrequency, 'samplingFrequency')
  const firstFrame = num(header.firstFrame, 'firstFrame')
  const step = num(header.amplitudeStep, 'amplitudeStep')
  const section = <T>(make: (offset: number, length: number) => T, length: number, itemBytes: number): T => {
    const bytesLength = length * itemBytes
    if (at + bytesLength > buffer.byteLength) throw new Error(`a chunk file of ${buffer.byteLength} bytes is cut short`)
    const out = make(at, length)
    at += bytesLength + ((8 - (bytesLength % 8)) % 8)
    return out
  }
  const positions = section((o, n) => new Uint32Array(buffer, o, n), nUnits, 4)
  const counts = section((o, n) => new Uint32Array(buffer, o, n), nUnits, 4)
  const codes = section((o, n) => new Int16Array(buffer, o, n), nSpikes, 2)
  const deltas = section((o, n) => new Uint16Array(buffer, o, n), nSpikes, 2)
  const overflow = section((o, n) => new Float64Array(buffer, o, n), nOverflow, 8)
  const times = new Float32Array(nSpikes)
  const amplitudes = new Float32Array(nSpikes)
  const out: LoadedChunk = { times: [], amplitudes: [] }
  const empty = new Float32Array(0)
  for (let u = 0; u < numUnits; u++) {
    out.times.push(empty)
    out.amplitudes.push(empty)
  }
  let i = 0
  let escaped = 0
  for (let k = 0; k < nUnits; k++) {
    const u = positions[k] as number
    if (u >= numUnits) throw new Error(`a chunk names unit index ${u}, but the view has ${numUnits} units`)
    const end = i + (counts[k] as number)
    if (end > nSpikes) throw new Error(`a chunk's unit counts add up to more than its ${nSpikes} spikes`)
    const start = i
    let frame = firstFrame
    for (; i < end; i++) {
      const d = deltas[i] as number
      frame += d === DELTA_ESCAPE ? (overflow[escaped++] as number) : d
      times[i] = frame / fs
      const c = codes[i] as number
      amplitudes[i] =
        c === CODE_NAN ? NaN : c === CODE_POSITIVE_INFINITY ? Infinity : c === CODE_NEGATIVE_INFINITY ? -Infinity : c * step
    }
    out.times[u] = times.subarray(start, end)
    out.amplitudes[u] = amplitudes.subarray(start, end)
  }
  if (i !== nSpikes || escaped !== nOverflow) throw new Error(`a chunk file's sections disagree with its header`)
  return out
}

/**
 * The window cut into runs: each needed chunk's span, from the chunk when it is loaded, else from the
 * overview; the parts of the window no needed chunk covers (none when the chunks tile the view) use the overview.
 */
export function windowRuns(needed: ChunkEntry[], loaded: (uri: string) => LoadedChunk | undefined, start: number, end: number): Run[] {
  const runs: Run[] = []
  let at = start
  for (const c of needed) {
    const s = Math.max(at, c.startTimeSec)
    const e = Math.min(end, c.endTimeSec)
    if (s > at) runs.push({ start: at, end: s })
    if (e > s) {
      const chunk = loaded(c.dataUri)
      runs.push(chunk ? { start: s, end: e, chunk } : { start: s, end: e })
      at = e
    }
  }
  if (at < end) runs.push({ start: at, end })
  return runs
}

/** Index range [i0, i1) of ascending times in [start, end) — the last run of a window includes its end. */
export function runRange(t: Numbers, start: number, end: number, closed: boolean): [number, number] {
  const i1 = closed ? upperBound(t, end) : lowerBound(t, end)
  return [lowerBound(t, start), i1]
}

function upperBound(t: Numbers, x: number): number {
  let lo = 0
  let hi = t.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((t[mid] as number) <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Loaded chunks by URI: loads each once, keeps the most recently used, tells its owner when one arrives. */
export class ChunkCache {
  private readonly done = new Map<string, LoadedChunk>()
  private readonly pending = new Set<string>()
  private readonly failed = new Map<string, string>()

  constructor(
    private readonly load: (uri: string) => Promise<LoadedChunk>,
    private readonly onLoaded: () => void,
    private readonly capacity = CACHE_CHUNKS,
  ) {}

  /** A loaded chunk (marked as just used), or undefined. */
  get(uri: string): LoadedChunk | undefined {
    const chunk = this.done.get(uri)
    if (chunk) {
      this.done.delete(uri)
      this.done.set(uri, chunk)
    }
    return chunk
  }

  /** Starts loading the chunks not loaded or loading yet. */
  request(uris: string[]): void {
    for (const uri of uris) {
      if (this.done.has(uri) || this.pending.has(uri) || this.failed.has(uri)) continue
      this.pending.add(uri)
      this.load(uri).then(
        (chunk) => {
          this.pending.delete(uri)
          this.done.set(uri, chunk)
          while (this.done.size > this.capacity) this.done.delete(this.done.keys().next().value as string)
          this.onLoaded()
        },
        (err: unknown) => {
          this.pending.delete(uri)
          this.failed.set(uri, err instanceof Error ? err.message : String(err))
          this.onLoaded()
        },
      )
    }
  }

  /** The first load error, if any (the overview is drawn in its place). */
  error(): string | undefined {
    return this.failed.values().next().value
  }
}
