// Compute requests to the runner (figurl serviceQuery to the "sortingview" service): one client per page,
// calculations cached per (task, input), failures classified so views can say what went wrong.
import { canonicalJson } from '../protocol/canonicalJson'
import type { ServiceQueryResponse } from '../protocol/messages'
import { decodeNdarrays, NdArray } from '../protocol/ndarray'

export const SERVICE_NAME = 'sortingview'

/** What kind of failure: views word "this runner cannot compute" differently from "this request failed". */
export type ComputeFailure = 'unavailable' | 'unauthorized' | 'input' | 'failed' | 'unreachable'

export class ComputeError extends Error {
  constructor(
    message: string,
    readonly kind: ComputeFailure,
    readonly status?: number,
  ) {
    super(message)
  }
}

export function failureKind(status: number | undefined): ComputeFailure {
  if (status === undefined) return 'unreachable'
  // 503: the runner has no compute; 404/405: a server without the compute API at all.
  if (status === 503 || status === 404 || status === 405) return 'unavailable'
  if (status === 401 || status === 403) return 'unauthorized'
  if (status === 400 || status === 422) return 'input'
  return 'failed'
}

/** A readable sentence for a failed request about `what` ("the correlograms of 3+7"). */
export function computeErrorText(err: unknown, what: string): string {
  if (!(err instanceof ComputeError)) return `Could not get ${what}: ${err instanceof Error ? err.message : String(err)}`
  switch (err.kind) {
    case 'unavailable':
      return `This runner has no compute service, so ${what} cannot be computed here (start sv-runner with compute to see it).`
    case 'unauthorized':
      return `The runner refused to compute ${what}: ${err.message}`
    case 'unreachable':
      return `The runner could not be reached for ${what}: ${err.message}`
    default:
      return `Computing ${what} failed: ${err.message}`
  }
}

export interface TaskReply {
  /** The task's result with ndarrays decoded to NdArray */
  result: unknown
  /** Raw bytes after the JSON line (e.g. float32 traces); shared by every reader of a cached reply: do not modify */
  payload?: ArrayBuffer
}

export interface TaskOptions {
  /** Keep the answer for identical later requests (calculations); never for actions. Default true. */
  cache?: boolean
  /** Seconds the runner may take (its default is 60) */
  timeoutSec?: number
}

export type ServiceQueryFn = (serviceName: string, query: Record<string, unknown>) => Promise<ServiceQueryResponse>

interface Entry {
  reply: Promise<TaskReply>
  bytes: number
}

export interface CacheLimits {
  maxEntries: number
  maxBytes: number
}

// Correlograms and info are small; traces windows are megabytes each, so bytes bound the cache too.
const DEFAULT_LIMITS: CacheLimits = { maxEntries: 500, maxBytes: 256 * 1024 * 1024 }

export class ComputeClient {
  // A Map iterates in insertion order; re-inserting on use makes it least-recently-used first.
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor(
    private readonly query: ServiceQueryFn,
    private readonly limits: CacheLimits = DEFAULT_LIMITS,
  ) {}

  run(taskName: string, taskInput: Record<string, unknown>, options: TaskOptions = {}): Promise<TaskReply> {
    const cache = options.cache ?? true
    const query: Record<string, unknown> = { taskName, taskInput }
    if (options.timeoutSec !== undefined) query.timeout = options.timeoutSec
    if (!cache) return this.send(query)
    const key = canonicalJson({ taskName, taskInput })
    const hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit.reply
    }
    const entry: Entry = { reply: this.send(query), bytes: 0 }
    this.entries.set(key, entry)
    entry.reply.then(
      (r) => {
        if (this.entries.get(key) !== entry) return
        entry.bytes = replyBytes(r)
        this.bytes += entry.bytes
        this.evict()
      },
      // A failure is not remembered: the runner may gain compute, or the next try may succeed.
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key)
      },
    )
    return entry.reply
  }

  /** Number of cached answers (for tests). */
  get size(): number {
    return this.entries.size
  }

  private async send(query: Record<string, unknown>): Promise<TaskReply> {
    const r = await this.query(SERVICE_NAME, query)
    if (r.errorMessage !== undefined || (r.result === undefined && r.status !== undefined)) {
      throw new ComputeError(r.errorMessage ?? `HTTP ${String(r.status)}`, failureKind(r.status), r.status)
    }
    const result = await decodeNdarrays(r.result)
    return r.binaryPayload ? { result, payload: r.binaryPayload } : { result }
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break
      if (entry.bytes === 0) continue // still in flight (or tiny): keep, joiners are waiting on it
      this.entries.delete(key)
      this.bytes -= entry.bytes
    }
  }
}

function replyBytes(r: TaskReply): number {
  let n = r.payload?.byteLength ?? 0
  const visit = (v: unknown): void => {
    if (v instanceof NdArray) n += v.data.byteLength
    else if (Array.isArray(v)) v.forEach(visit)
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit)
  }
  visit(r.result)
  return Math.max(1, n)
}
