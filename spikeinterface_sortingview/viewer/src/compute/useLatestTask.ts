// For views that change their request continuously (panning traces): keeps showing the last answer while
// the next is on its way, and never lets an older request's late answer replace a newer one.
import { useEffect, useRef, useState } from 'react'
import { useFigure } from '../figure/FigureContext'
import { canonicalJson } from '../protocol/canonicalJson'
import type { ComputeError, TaskReply } from './computeClient'
import { asComputeError, type TaskRequest } from './useTask'

export interface LatestTask<T> {
  /** The answer to the newest request answered so far (maybe not the current one) */
  value?: T
  /** The request `value` answers */
  valueRequest?: TaskRequest
  /** The current request has not been answered yet */
  loading: boolean
  /** The current request failed */
  error?: ComputeError
}

/** `parse` must be stable (module level); requests are compared by their canonical JSON. */
export function useLatestTask<T>(request: TaskRequest | undefined, parse: (reply: TaskReply) => T): LatestTask<T> {
  const { compute } = useFigure()
  const key = request ? canonicalJson(request) : ''
  const issued = useRef(0)
  const shownSeq = useRef(0)
  const [state, setState] = useState<LatestTask<T>>({ loading: false })
  useEffect(() => {
    if (!request) {
      setState((s) => ({ ...s, loading: false, error: undefined }))
      return
    }
    const seq = ++issued.current
    setState((s) => ({ ...s, loading: true, error: undefined }))
    compute
      .run(request.taskName, request.taskInput)
      .then((reply) => parse(reply))
      .then(
        (value) => {
          // An answer to a request older than the one shown is stale; a newer one is progress even if a
          // still newer request is pending.
          if (seq <= shownSeq.current) return
          shownSeq.current = seq
          setState({ value, valueRequest: request, loading: seq !== issued.current })
        },
        (err: unknown) => {
          if (seq === issued.current) setState((s) => ({ ...s, loading: false, error: asComputeError(err) }))
        },
      )
  }, [key, compute])
  return state
}
