"""How the views of a sorting summary follow the curation in Chromium: the units table shows split parts (with
their spike counts), merged units and removed units; a merge redraws only what it changes.

The views record their canvas draws when a test sets ``window.__svPerf = {draws: []}`` in the figure's frame
(``SpikeAmplitudes`` for the amplitudes plot, ``<view type> <unit>`` for each cell of a grid of units).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.browser.conftest import generated_analyzer
from tests.browser.test_curation_history import TABLE, open_figure, summary_figure, wait_url
from tests.browser_support import ARTIFACTS, settle_script, undo_in_journal

pytestmark = pytest.mark.browser

# Resolves after the page drew five frames in a row on time: the redraws an interaction started are done.
SETTLE_JS = settle_script(40)


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
    undo_in_journal(frame, 1)  # the merge: other tests show this shared sorting unmerged


@pytest.fixture(scope="module")
def table_analyzer():
    """A sorting of its own (its runner journal starts empty, so the URL's curation is the one shown), with
    SpikeInterface's ``num_spikes`` metric in the units table."""
    analyzer = generated_analyzer(10.0, num_channels=8, num_units=6, seed=33, sparse=True)
    analyzer.compute("quality_metrics", metric_names=["num_spikes", "snr", "firing_rate"], verbose=False)
    return analyzer


def table_rows(frame) -> list[dict]:
    return frame.locator(f"{TABLE} tbody tr").evaluate_all(
        "rows => rows.map((r) => ({ id: r.dataset.unitId, kind: r.dataset.kind, removed: r.dataset.removed === 'true',"
        " struck: getComputedStyle(r.cells[0]).textDecorationLine, text: r.innerText }))"
    )


def test_the_units_table_shows_split_parts_merged_and_removed_units(page, table_analyzer, runner_config, runner):
    sorting = table_analyzer.sorting
    u0, u1, u2, u3, u4, _ = (str(u) for u in sorting.unit_ids)
    counts = {str(u): int(n) for u, n in sorting.count_num_spikes_per_unit().items()}
    curation = {
        "labelsByUnit": {f"{u0}.1": ["mua"]},
        "mergeGroups": [[u1, u2]],
        "isClosed": False,
        "splits": [{"unitId": u0, "indices": list(range(0, 20, 2))}],
        "removedUnits": [u3],
    }
    url = summary_figure(table_analyzer, runner_config) + "&s=" + quote(json.dumps({"sortingCuration": curation}))
    page.set_viewport_size({"width": 1600, "height": 1000})
    frame = open_figure(page, url)
    frame.locator(f'{TABLE} tr[data-unit-id="{u0}.1"]').wait_for()

    rows = table_rows(frame)
    assert [(r["id"], r["kind"], r["removed"]) for r in rows] == [
        (f"{u0}.1", "part", False),
        (f"{u0}.2", "part", False),
        (f"{u1}+{u2}", "merged", False),
        (u1, "member", False),
        (u2, "member", False),
        (u3, "unit", True),
        (u4, "unit", False),
        (str(sorting.unit_ids[5]), "unit", False),
    ]
    by_id = {r["id"]: r for r in rows}
    # counts in the num_spikes column: a part's from the split's indices, a merged unit's its members' sum
    spikes_col = frame.locator(f"{TABLE} thead th").evaluate_all(
        "ths => ths.map((t) => t.innerText.replace(/\\s+/g, ''))"
    )
    col = next(i for i, t in enumerate(spikes_col) if t.startswith("num_spikes"))

    def cell(unit: str) -> str:
        return frame.locator(f'{TABLE} tr[data-unit-id="{unit}"] td').nth(col).inner_text().strip()

    assert (cell(f"{u0}.1"), cell(f"{u0}.2")) == ("10", str(counts[u0] - 10))
    assert cell(f"{u1}+{u2}") == str(counts[u1] + counts[u2])
    assert "mua" in by_id[f"{u0}.1"]["text"] and "mua" not in by_id[f"{u0}.2"]["text"]  # a part's own labels
    assert by_id[u3]["struck"] == "line-through" and by_id[u4]["struck"] == "none"
    page.screenshot(path=str(ARTIFACTS / "browser" / "units-table-curation.png"))

    # a part is selected from its row and labelled in the curation panel
    frame.locator(f'{TABLE} tr[data-unit-id="{u0}.2"]').click()
    assert frame.locator('[data-testid="curation-selected"]').inner_text().endswith(f"{u0}.2")
    frame.locator('[data-testid="label-accept"]').click()
    wait_url(page, f"JSON.stringify((c.labelsByUnit || {{}})['{u0}.2']) === JSON.stringify(['accept'])")
    assert "accept" in frame.locator(f'{TABLE} tr[data-unit-id="{u0}.2"]').inner_text()
    assert "accept" not in frame.locator(f'{TABLE} tr[data-unit-id="{u0}.1"]').inner_text()

    # a removal from the panel strikes the row; "hide removed" takes both removed rows out of the table
    frame.locator(f'{TABLE} tr[data-unit-id="{u4}"]').click()
    frame.locator('[data-testid="remove-units"]').click()
    wait_url(page, f"(c.removedUnits || []).includes('{u4}')")
    assert frame.locator(f'{TABLE} tr[data-unit-id="{u4}"]').get_attribute("data-removed") == "true"
    frame.locator('[data-testid="hide-removed"]').check()
    shown = [r["id"] for r in table_rows(frame)]
    assert u3 not in shown and u4 not in shown and f"{u0}.1" in shown
    assert page.errors.uncaught == []
