import { unzlibSync } from 'fflate'
// Decoding of the {_type: "ndarray"} encoding used in figure data (base64, optionally zlib-compressed).
import { isRecord } from './messages'

export type TypedArray =
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array

export interface EncodedNdarray {
  _type: 'ndarray'
  shape: number[]
  dtype: string
  data_b64?: string
  data_gzip_b64?: string
}

/** A decoded array: flat C-order data plus its shape. */
export class NdArray {
  constructor(
    readonly data: TypedArray,
    readonly shape: readonly number[],
  ) {}

  /** Row i of a 2-D array (a view, no copy). */
  row(i: number): TypedArray {
    const n = this.shape[1] ?? this.data.length
    return this.data.subarray(i * n, (i + 1) * n)
  }
}

export function isEncodedNdarray(x: unknown): x is EncodedNdarray {
  return isRecord(x) && x._type === 'ndarray' && typeof x.dtype === 'string'
}

const constructors = {
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const

type Dtype = keyof typeof constructors

function isDtype(s: string): s is Dtype {
  return Object.prototype.hasOwnProperty.call(constructors, s)
}

// Native base64 decoding (Chromium 140+, Firefox 133+) is many times faster than atob + a copy loop.
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64

export function base64ToBytes(b64: string): Uint8Array {
  if (nativeFromBase64) return nativeFromBase64.call(Uint8Array, b64)
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

// Above this many compressed bytes the browser's own inflater is used: it runs natively, off the page's
// JavaScript, and its set-up cost is small against the work (a chunk of amplitudes is a few MB).
const NATIVE_INFLATE_MIN_BYTES = 256 * 1024

/** zlib-framed deflate (the "gzip" in data_gzip_b64 is a misnomer upstream).
 *  Small arrays synchronously: a figure holds thousands of them, and a DecompressionStream per array costs
 *  far more in stream set-up than in inflating. `expectedBytes` (known from the shape) lets fflate write into
 *  a buffer of the right size: without it, it starts from a guess and grows, which made 18,000 correlograms
 *  of 200 bytes take 20 s instead of 1 s (it reserves 128 kB for every block). The buffer has one byte to spare:
 *  fflate drops what does not fit, so a longer output comes back one byte too long and fails the shape check. */
export async function inflateZlib(bytes: Uint8Array, expectedBytes?: number): Promise<Uint8Array> {
  if (bytes.byteLength < NATIVE_INFLATE_MIN_BYTES || typeof DecompressionStream === 'undefined') return inflateZlibSync(bytes, expectedBytes)
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** fflate's inflater on the page's thread, into a buffer of the expected size when it is known (see inflateZlib). */
function inflateZlibSync(bytes: Uint8Array, expectedBytes?: number): Uint8Array {
  return expectedBytes !== undefined ? unzlibSync(bytes, { out: new Uint8Array(expectedBytes + 1) }) : unzlibSync(bytes)
}

/** The byte length an encoded array's shape and dtype call for, or undefined when its shape is not a list of sizes. */
function expectedByteLength(e: EncodedNdarray): number | undefined {
  if (!Array.isArray(e.shape) || !isDtype(e.dtype)) return undefined
  let n = constructors[e.dtype].BYTES_PER_ELEMENT
  for (const d of e.shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return undefined
    n *= d
  }
  // Beyond this the guess is not worth a buffer allocated up front (a corrupt shape must not allocate gigabytes).
  return n <= 1 << 28 ? n : undefined
}

function checkedDtype(e: EncodedNdarray): Dtype {
  if (!isDtype(e.dtype)) throw new Error(`Unsupported ndarray dtype: ${e.dtype}`)
  return e.dtype
}

function fromBytes(e: EncodedNdarray, bytes: Uint8Array): NdArray {
  const Ctor = constructors[checkedDtype(e)]
  if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw new Error(`ndarray byte length ${bytes.byteLength} is not a multiple of ${e.dtype} size`)
  }
  // Typed arrays need an aligned start: copy when the bytes do not own their buffer from offset 0.
  const buffer: ArrayBuffer =
    bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength === bytes.byteLength
      ? bytes.buffer
      : (bytes.slice().buffer as ArrayBuffer)
  const data = new Ctor(buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT)
  const shape = Array.isArray(e.shape) ? e.shape.map(Number) : [data.length]
  const expected = shape.reduce((a, b) => a * b, 1)
  if (expected !== data.length) throw new Error(`ndarray shape [${shape.join(',')}] does not match ${data.length} elements`)
  return new NdArray(data, shape)
}

export async function decodeNdarray(e: EncodedNdarray): Promise<NdArray> {
  checkedDtype(e)
  if (typeof e.data_b64 === 'string') return fromBytes(e, base64ToBytes(e.data_b64))
  if (typeof e.data_gzip_b64 === 'string') return fromBytes(e, await inflateZlib(base64ToBytes(e.data_gzip_b64), expectedByteLength(e)))
  throw new Error('ndarray has neither data_b64 nor data_gzip_b64')
}

/**
 * The same decoding without waiting: for a view that keeps its arrays encoded and decodes the few it shows
 * when it draws them (fflate inflates on the page's thread, which is what the asynchronous path does for
 * small arrays too).
 */
export function decodeNdarraySync(e: EncodedNdarray): NdArray {
  checkedDtype(e)
  if (typeof e.data_b64 === 'string') return fromBytes(e, base64ToBytes(e.data_b64))
  if (typeof e.data_gzip_b64 === 'string') return fromBytes(e, inflateZlibSync(base64ToBytes(e.data_gzip_b64), expectedByteLength(e)))
  throw new Error('ndarray has neither data_b64 nor data_gzip_b64')
}

/**
 * Replaces every encoded ndarray inside a JSON value by an NdArray (for our own views). Arrays held by a field
 * named in `lazyFields` are left encoded: a view that shows few of many arrays decodes those when it needs them.
 */
export async function decodeNdarrays(value: unknown, lazyFields?: ReadonlySet<string>): Promise<unknown> {
  return walkAll(value, (a) => a, lazyFields)
}

/**
 * Replaces every encoded ndarray by what legacy views expect from a host that decodes for them:
 * a typed array for 1-D data, nested arrays of typed-array rows for N-D data.
 */
export async function decodeNdarraysNested(value: unknown): Promise<unknown> {
  return walkAll(value, toNested)
}

function toNested(a: NdArray): unknown {
  if (a.shape.length <= 1) return a.data
  const build = (offset: number, dim: number): unknown => {
    const size = a.shape.slice(dim + 1).reduce((x, y) => x * y, 1)
    if (dim === a.shape.length - 1) return a.data.subarray(offset, offset + (a.shape[dim] ?? 0))
    const out: unknown[] = []
    for (let i = 0; i < (a.shape[dim] ?? 0); i++) out.push(build(offset + i * size, dim + 1))
    return out
  }
  return build(0, 0)
}

type Convert = (a: NdArray) => unknown

// The walk is synchronous (figures hold many thousands of small objects); only zlib
// inflation is asynchronous, so those arrays are filled in afterwards through `assign`.
// Equal encodings are decoded once and share one array (a figure repeats some: every correlogram's bin edges,
// the zero standard deviations of templates); views never write into their data.
async function walkAll(value: unknown, convert: Convert, lazyFields?: ReadonlySet<string>): Promise<unknown> {
  const pending: Promise<void>[] = []
  const seen = new Map<string, Promise<unknown>>()
  let result: unknown
  result = visit(value, convert, { pending, seen, lazyFields }, (v) => (result = v))
  await Promise.all(pending)
  return result
}

interface Walk {
  pending: Promise<void>[]
  /** Decodings by their dtype, shape and data string */
  seen: Map<string, Promise<unknown>>
  /** Fields whose ndarrays stay encoded */
  lazyFields: ReadonlySet<string> | undefined
}

function visit(value: unknown, convert: Convert, walk: Walk, assign: (v: unknown) => void): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (isEncodedNdarray(value)) {
    if (typeof value.data_b64 === 'string' && value.data_b64.length < 256) return convert(fromBytes(value, base64ToBytes(value.data_b64)))
    const key = `${value.dtype}|${String(value.shape)}|${value.data_b64 === undefined ? 'z' : 'r'}|${value.data_b64 ?? value.data_gzip_b64}`
    let decoded = walk.seen.get(key)
    if (decoded === undefined) {
      decoded = decodeNdarray(value).then(convert)
      walk.seen.set(key, decoded)
    }
    walk.pending.push(decoded.then(assign))
    return undefined
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) out[i] = visit(value[i], convert, walk, (v) => (out[i] = v))
    return out
  }
  const out: Record<string, unknown> = {}
  const lazy = walk.lazyFields
  for (const [k, v] of Object.entries(value)) {
    out[k] = lazy !== undefined && lazy.has(k) && isEncodedNdarray(v) ? v : visit(v, convert, walk, (x) => (out[k] = x))
  }
  return out
}
