"""How the views of a sorting summary follow the curation in Chromium: a merge redraws only what it changes.

The views record their canvas draws when a test sets ``window.__svPerf = {draws: []}`` in the figure's frame
(``SpikeAmplitudes`` for the amplitudes plot, ``<view type> <unit>`` for each cell of a grid of units).
"""

from __future__ import annotations

import pytest

from tests.browser.test_curation_history import TABLE, open_figure, summary_figure

pytestmark = pytest.mark.browser

# Resolves after the page drew five frames in a row on time: the redraws an interaction started are done.
SETTLE_JS = """async () => {
  const t0 = performance.now()
  let last = await new Promise((r) => requestAnimationFrame(r))
  let calm = 0
  while (calm < 5 && performance.now() - t0 < 5000) {
    const now = await new Promise((r) => requestAnimationFrame(r))
    calm = now - last <= 40 ? calm + 1 : 0
    last = now
  }
}"""


def figure_frame(page):
    """The figure's frame (the host page holds it in an iframe)."""
    return next(f for f in page.frames if f != page.main_frame)


def test_a_merge_redraws_only_the_merged_unit(page, analyzer, runner_config, runner):
    url = summary_figure(analyzer, runner_config)
    frame = open_figure(page, url)
    a, b = (str(u) for u in analyzer.unit_ids[:2])
    frame.locator(f'{TABLE} tr[data-unit-id="{a}"]').click()
    frame.locator(f'{TABLE} tr[data-unit-id="{b}"]').click(modifiers=["Control"])
    figure = figure_frame(page)
    figure.evaluate(SETTLE_JS)
    figure.evaluate("() => { window.__svPerf = { draws: [] } }")

    frame.locator('[data-testid="merge-button"]').click()
    frame.locator('[data-testid="curation-summary"]', has_text="1 merge group").wait_for()
    figure.evaluate(SETTLE_JS)
    drawn = figure.evaluate("() => window.__svPerf.draws.map((d) => d.view)")

    # the amplitudes plot colours spikes by original unit: a merge changes nothing in it
    assert "SpikeAmplitudes" not in drawn
    # the waveforms grid shows the merged unit in place of its members, and leaves the other cells as they were
    waveform_cells = {d.split(" ", 1)[1] for d in drawn if d.startswith("AverageWaveforms ")}
    assert waveform_cells <= {f"{a}+{b}"}, f"cells of units the merge did not touch were redrawn: {waveform_cells}"
