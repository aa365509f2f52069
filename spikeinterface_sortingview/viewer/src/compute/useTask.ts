// React access to compute tasks: the state of each request (loading, value, error), ignoring answers that
// arrive after the requests changed.
import { useEffect, useMemo, useState } from 'react'
import { useFigure } from '../figure/FigureContext'
import { canonicalJson } from '../protocol/canonicalJson'
import { ComputeError, type TaskReply } from './computeClient'

export interface TaskRequest {
  taskName: string
  taskInput: Record<string, unknown>
}

export type TaskState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'error'; error: ComputeError }

const IDLE: TaskState<never> = { status: 'idle' }
const LOADING: TaskState<never> = { status: 'loading' }

/** Errors thrown while reading a reply are the runner's fault as far as the view is concerned. */
export function asComputeError(err: unknown): ComputeError {
  if (err instanceof ComputeError) return err
  return new ComputeError(`the runner's answer could not be read: ${err instanceof Error ? err.message : String(err)}`, 'failed')
}

/**
 * Runs every request (undefined: nothing to ask) and parses each reply with `parse`, which must be a
 * stable function (module level): the requests' canonical JSON decides whether to ask again.
 */
export function useTasks<T>(requests: readonly (TaskRequest | undefined)[], parse: (reply: TaskReply) => T): TaskState<T>[] {
  const { compute } = useFigure()
  const keys = useMemo(() => requests.map((r) => (r ? canonicalJson(r) : '')), [requests])
  const joined = keys.join('\n')
  const [states, setStates] = useState<ReadonlyMap<string, TaskState<T>>>(new Map())
  useEffect(() => {
    let live = true
    const wanted = new Set(keys.filter((k) => k !== ''))
    // Forget answers no longer asked for, keeping the ones still wanted (the client's cache has the rest).
    setStates((prev) => new Map([...prev].filter(([k]) => wanted.has(k))))
    requests.forEach((request, i) => {
      const key = keys[i] ?? ''
      if (!request || key === '') return
      compute
        .run(request.taskName, request.taskInput)
        .then((reply) => parse(reply))
        .then(
          (value): TaskState<T> => ({ status: 'ready', value }),
          (err: unknown): TaskState<T> => ({ status: 'error', error: asComputeError(err) }),
        )
        .then((state) => live && setStates((prev) => new Map(prev).set(key, state)))
    })
    return () => {
      live = false
    }
    // `joined` stands for `requests`; `parse` is stable by contract.
  }, [joined, compute])
  return keys.map((k) => (k === '' ? IDLE : (states.get(k) ?? LOADING)))
}

export function useTask<T>(request: TaskRequest | undefined, parse: (reply: TaskReply) => T): TaskState<T> {
  const requests = useMemo(() => [request], [request ? canonicalJson(request) : ''])
  return useTasks(requests, parse)[0] ?? IDLE
}
