// Small validators that turn untrusted view JSON into typed data with readable error messages.
import { isRecord } from '../protocol/messages'
import { NdArray, type TypedArray } from '../protocol/ndarray'
import { isUnitId, type UnitId } from '../state/units'

export class ViewDataError extends Error {}

export type Numbers = TypedArray | number[]

export function rec(x: unknown, path: string): Record<string, unknown> {
  if (!isRecord(x)) throw new ViewDataError(`${path} should be an object`)
  return x
}

export function list(x: unknown, path: string): unknown[] {
  if (!Array.isArray(x)) throw new ViewDataError(`${path} should be a list`)
  return x
}

export function optList(x: unknown, path: string): unknown[] {
  return x === undefined || x === null ? [] : list(x, path)
}

export function str(x: unknown, path: string): string {
  if (typeof x !== 'string') throw new ViewDataError(`${path} should be a string`)
  return x
}

export function optStr(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined
}

export function num(x: unknown, path: string): number {
  if (typeof x !== 'number') throw new ViewDataError(`${path} should be a number`)
  return x
}

export function optNum(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined
}

export function unitId(x: unknown, path: string): UnitId {
  if (!isUnitId(x)) throw new ViewDataError(`${path} should be a unit id`)
  return x
}

/** A 1-D numeric array: an ndarray (any shape, flattened), a typed array or a JSON list of numbers. */
export function numbers(x: unknown, path: string): Numbers {
  if (x instanceof NdArray) return x.data
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return x as TypedArray
  if (Array.isArray(x) && x.every((v) => typeof v === 'number')) return x as number[]
  throw new ViewDataError(`${path} should be a numeric array`)
}

export function optNumbers(x: unknown, path: string): Numbers | undefined {
  return x === undefined || x === null ? undefined : numbers(x, path)
}

/** A 2-D array (rows x cols) as flat data; accepts nested JSON lists too. */
export interface Matrix {
  data: Numbers
  rows: number
  cols: number
}

export function matrix(x: unknown, path: string): Matrix {
  if (x instanceof NdArray) {
    if (x.shape.length !== 2) throw new ViewDataError(`${path} should be 2-D, found shape [${x.shape.join(',')}]`)
    return { data: x.data, rows: x.shape[0] ?? 0, cols: x.shape[1] ?? 0 }
  }
  if (Array.isArray(x)) {
    const rows = x.map((r, i) => numbers(r, `${path}[${i}]`))
    const cols = rows[0]?.length ?? 0
    const data = new Float32Array(rows.length * cols)
    rows.forEach((r, i) => data.set(r, i * cols))
    return { data, rows: rows.length, cols }
  }
  throw new ViewDataError(`${path} should be a 2-D numeric array`)
}

export function matrixRow(m: Matrix, i: number): Numbers {
  return m.data.slice(i * m.cols, (i + 1) * m.cols)
}

export type ChannelLocations = Map<string, [number, number]>

/** {str(channel_id): [x, y]} (values may be ndarrays or lists). */
export function channelLocations(x: unknown, path: string): ChannelLocations {
  const out: ChannelLocations = new Map()
  if (x === undefined || x === null) return out
  for (const [k, v] of Object.entries(rec(x, path))) {
    const xy = numbers(v, `${path}.${k}`)
    out.set(k, [Number(xy[0] ?? 0), Number(xy[1] ?? 0)])
  }
  return out
}
