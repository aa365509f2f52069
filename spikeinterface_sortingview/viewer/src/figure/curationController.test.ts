import { describe, expect, it } from 'vitest'
import { type ComputeClient, ComputeError } from '../compute/computeClient'
import { type CurationAction, type SortingCuration } from '../state/curation'
import { type CurationHistory, historyReducer, newHistory } from '../state/curationHistory'
import { CurationController, runWithRetries } from './curationController'
import type { HostConnection } from './hostConnection'

/** A runner journal in memory: what curation_state.1 and curation_action.1 answer, with a gate on the first call. */
function fakeRunner() {
  const actions: CurationAction[] = []
  let history: CurationHistory = newHistory()
  let open: () => void = () => {}
  const gate = new Promise<void>((resolve) => (open = resolve))
  const compute = {
    run: async (task: string, input: Record<string, unknown>) => {
      await gate // the runner is still starting (Ray, its first worker)
      if (task === 'sortingview.curation_action.1') {
        const action = input.action as CurationAction
        actions.push(action)
        history = historyReducer(history, action)
      }
      const records = actions.map((action) => ({ action, who: 'local', time: 0 }))
      return { result: { curation: history.present, numActions: actions.length, actions: records } }
    },
  } as unknown as ComputeClient
  const host = { request: async () => ({}) } as unknown as HostConnection
  return { compute, host, actions, open }
}

describe('curation with a runner journal', () => {
  it('sends actions made while connecting once, after seeding an empty journal with the URL curation', async () => {
    const runner = fakeRunner()
    const urlCuration = { labelsByUnit: { '3': ['mua'] }, mergeGroups: [], isClosed: false }
    const controller = new CurationController(runner.host, runner.compute, { sortingCuration: urlCuration })
    await controller.restore()
    const connected = controller.connectRunner('sha1://0123456789abcdef0123456789abcdef01234567')
    // The curator labels and merges before the runner answers.
    controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: 1, label: 'accept' })
    controller.dispatch({ type: 'MERGE_UNITS', unitIds: [1, 2] })
    runner.open()
    await connected
    await new Promise((resolve) => setTimeout(resolve, 0))
    for (let i = 0; i < 10 && controller.runner.get().state !== 'saved'; i++) await new Promise((r) => setTimeout(r, 5))

    expect(runner.actions.map((a) => a.type)).toEqual(['SET_CURATION', 'TOGGLE_UNIT_LABEL', 'MERGE_UNITS'])
    expect((runner.actions[0] as { curation: SortingCuration }).curation.labelsByUnit).toEqual({ '3': ['mua'] })
    const shown = controller.curation.get()
    expect(shown.labelsByUnit).toEqual({ '1': ['accept'], '3': ['mua'] })
    expect(shown.mergeGroups).toEqual([[1, 2]])
    expect(controller.runner.get()).toMatchObject({ state: 'saved', numActions: 3 })
  })

  it('retries an action whose answer was lost with the same id, so the journal applies it once', async () => {
    const applied = new Map<string, CurationAction>()
    const sentIds: string[] = []
    let history: CurationHistory = newHistory()
    let lose = 1 // the runner dies after writing the first action, before answering
    const compute = {
      run: async (task: string, input: Record<string, unknown>) => {
        if (task === 'sortingview.curation_action.1') {
          const id = input.action_id as string
          sentIds.push(id)
          if (!applied.has(id)) {
            applied.set(id, input.action as CurationAction)
            history = historyReducer(history, input.action as CurationAction)
          }
          if (lose-- > 0) throw new ComputeError('connection reset', 'unreachable')
        }
        return { result: { curation: history.present, numActions: applied.size } }
      },
    } as unknown as ComputeClient
    const host = { request: async () => ({}) } as unknown as HostConnection
    const controller = new CurationController(host, compute, {})
    await controller.connectRunner('sha1://0123456789abcdef0123456789abcdef01234567')
    controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: 4, label: 'accept' })
    controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: 5, label: 'noise' })
    for (let i = 0; i < 200 && !(controller.runner.get().state === 'saved' && applied.size === 2); i++) {
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(sentIds.length).toBe(3)
    expect(sentIds[0]).toBe(sentIds[1]) // the retry
    expect(sentIds[2]).not.toBe(sentIds[0])
    expect(controller.curation.get().labelsByUnit).toEqual({ '4': ['accept'], '5': ['noise'] })
    expect(controller.runner.get()).toMatchObject({ state: 'saved', numActions: 2 })
  })

  it('sends undo and redo to the journal as actions, and rebuilds the history from the journal on connect', async () => {
    const runner = fakeRunner()
    runner.open()
    const controller = new CurationController(runner.host, runner.compute, {})
    await controller.connectRunner('sha1://0123456789abcdef0123456789abcdef01234567')
    controller.dispatch({ type: 'MERGE_UNITS', unitIds: [1, 2] })
    controller.dispatch({ type: 'UNDO' })
    expect(controller.curation.get().mergeGroups).toEqual([])
    controller.dispatch({ type: 'REDO' })
    for (let i = 0; i < 50 && runner.actions.length < 3; i++) await new Promise((r) => setTimeout(r, 5))
    expect(runner.actions.map((a) => a.type)).toEqual(['MERGE_UNITS', 'UNDO', 'REDO'])
    expect(controller.curation.get().mergeGroups).toEqual([[1, 2]])

    // another page on the same journal starts with the same history: it can undo the merge
    const other = new CurationController(runner.host, runner.compute, {})
    await other.connectRunner('sha1://0123456789abcdef0123456789abcdef01234567')
    expect(other.history.get().past.map((e) => [e.action.type, e.who])).toEqual([['MERGE_UNITS', 'local']])
    other.dispatch({ type: 'UNDO' })
    expect(other.curation.get().mergeGroups).toEqual([])
  })

  it('changes nothing for an action that does not apply, and says why', () => {
    const host = { request: async () => ({}) } as unknown as HostConnection
    const controller = new CurationController(host, undefined, {})
    controller.dispatch({ type: 'SPLIT_UNIT', unitId: 3, indices: [0, 1] })
    const after = controller.curation.get()
    controller.dispatch({ type: 'SPLIT_UNIT', unitId: 3, indices: [0] })
    expect(controller.curation.get()).toBe(after)
    expect(controller.status.get().error).toMatch(/unit 3 was split into 3.1 and 3.2/)
    controller.dispatch({ type: 'UNDO' })
    controller.dispatch({ type: 'UNDO' })
    expect(controller.status.get().error).toMatch(/nothing to undo/)
  })

  it('does not retry an action the runner refused', async () => {
    let calls = 0
    const refuse = async () => {
      calls++
      throw new ComputeError('unknown unit', 'input', 400)
    }
    await expect(runWithRetries(refuse, [1, 1])).rejects.toThrow('unknown unit')
    expect(calls).toBe(1)
  })
})

describe('a runner that refuses the curator', () => {
  it("shows the runner's reason, keeps the curation in the URL and leaves the journal alone", async () => {
    const sent: string[] = []
    const reason = "'bob' is not an authorized curator of this sorting (sorting S-1 of sv-workspace://ab, curation feed sorting-01)"
    const compute = {
      run: async (task: string) => {
        sent.push(task)
        if (task === 'sortingview.curation_action.1') throw new ComputeError(reason, 'unauthorized', 403)
        return { result: { curation: { labelsByUnit: {}, mergeGroups: [], isClosed: false }, numActions: 0, actions: [] } }
      },
    } as unknown as ComputeClient
    const host = { request: async () => ({}) } as unknown as HostConnection
    const controller = new CurationController(host, compute, {})
    await controller.connectRunner('sha1://0123456789abcdef0123456789abcdef01234567')
    controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: 4, label: 'accept' })
    for (let i = 0; i < 100 && controller.runner.get().state !== 'unavailable'; i++) await new Promise((r) => setTimeout(r, 5))

    expect(controller.runner.get()).toEqual({ state: 'unavailable', reason, refused: true })
    expect(controller.curation.get().labelsByUnit).toEqual({ '4': ['accept'] })
    // Later actions stay in the page: nothing more is sent to the refusing journal.
    controller.dispatch({ type: 'TOGGLE_UNIT_LABEL', unitId: 5, label: 'noise' })
    await new Promise((r) => setTimeout(r, 20))
    expect(sent.filter((t) => t === 'sortingview.curation_action.1').length).toBe(1)
  })
})
