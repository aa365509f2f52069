import { describe, expect, it } from 'vitest'
import type { ComputeClient } from '../compute/computeClient'
import { type CurationAction, curationReducer, emptyCuration, type SortingCuration } from '../state/curation'
import { CurationController } from './curationController'
import type { HostConnection } from './hostConnection'

/** A runner journal in memory: what curation_state.1 and curation_action.1 answer, with a gate on the first call. */
function fakeRunner() {
  const actions: CurationAction[] = []
  let curation: SortingCuration = emptyCuration()
  let open: () => void = () => {}
  const gate = new Promise<void>((resolve) => (open = resolve))
  const compute = {
    run: async (task: string, input: Record<string, unknown>) => {
      await gate // the runner is still starting (Ray, its first worker)
      if (task === 'sortingview.curation_action.1') {
        const action = input.action as CurationAction
        actions.push(action)
        curation = curationReducer(curation, action)
      }
      return { result: { curation, numActions: actions.length } }
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
})
