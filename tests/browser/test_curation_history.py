"""The curation panel in Chromium: undo and redo (keys and buttons), remove and restore, a reload keeping the
state and the history (from the runner's journal), a SpikeInterface export that SpikeInterface validates and
applies, and a figure that starts from an existing curation (``curation_dict=``, ``label_definitions=``).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from spikeinterface.curation import apply_curation
from spikeinterface.curation.curation_model import Curation

from tests.browser.conftest import generated_analyzer
from tests.browser_support import ARTIFACTS, runner_environment

pytestmark = pytest.mark.browser

TABLE = 'table[data-testid="units-table"]'


def url_state(page) -> dict:
    values = parse_qs(urlsplit(page.evaluate("location.href")).query).get("s")
    return json.loads(values[0]) if values else {}


def curation_in_url(page) -> dict:
    return url_state(page).get("sortingCuration", {})


def summary_figure(analyzer, runner_config, **kwargs) -> str:
    import spikeinterface.full as si

    with runner_environment(runner_config):
        return si.plot_sorting_summary(analyzer, backend="sortingview", display=False, curation=True, **kwargs).url


def open_figure(page, url: str):
    page.goto(url)
    frame = page.frame_locator("iframe")
    frame.locator(f"{TABLE} tr[data-unit-id]").first.wait_for()
    return frame


def wait_url(page, predicate: str) -> None:
    """Wait until the URL state's curation ``c`` satisfies a JavaScript expression."""
    page.wait_for_function(
        "() => { const s = new URL(location.href).searchParams.get('s'); if (!s) return false;"
        f" const c = JSON.parse(s).sortingCuration || {{}}; return {predicate} }}",
        timeout=10_000,
    )


def wait_saved(page, num_actions: int, timeout_s: float = 15) -> None:
    page.wait_for_function(
        "n => { const s = document.querySelector('iframe').contentDocument"
        ".querySelector('[data-testid=\"curation-runner-status\"]');"
        " return s && s.dataset.state === 'saved' && s.title.endsWith(` ${n} actions`) }",
        arg=num_actions,
        timeout=timeout_s * 1000,
    )


@pytest.fixture(scope="module")
def own_analyzer():
    # A sorting of its own, so its runner journal holds only this module's actions.
    return generated_analyzer(10.0, num_channels=8, num_units=6, seed=21, sparse=True)


def test_undo_redo_remove_restore_reload_and_export(page, own_analyzer, runner_config, runner, tmp_path):
    url = summary_figure(own_analyzer, runner_config)
    frame = open_figure(page, url)
    a, b, c = (str(u) for u in own_analyzer.unit_ids[:3])
    wait_saved(page, 0, timeout_s=180)  # the runner's first task starts its Ray workers

    # a label, undone with Ctrl+Z and redone with Ctrl+Shift+Z
    frame.locator(f'{TABLE} tr[data-unit-id="{a}"]').click()
    # the summary's third row: the feature view, computed by the runner from the shared recording; the merge
    # suggestions wait behind their tab (the auto-merge runs when it is opened)
    features = frame.locator('[data-view-type="FeatureView"]')
    features.locator('[data-testid="feature-view"]').wait_for()
    features.locator(".view-note-overlay").wait_for(state="detached", timeout=120_000)
    assert features.locator(".view-message-error").count() == 0
    assert frame.get_by_role("tab", name="Merge suggestions").count() == 1
    page.screenshot(path=str(ARTIFACTS / "browser" / "curation-summary-features.png"))
    frame.locator('[data-testid="label-accept"]').click()
    wait_url(page, f"(c.labelsByUnit || {{}})['{a}'] !== undefined")
    page.keyboard.press("Control+z")
    wait_url(page, f"(c.labelsByUnit || {{}})['{a}'] === undefined")
    assert frame.locator('[data-testid="curation-history"] li[data-undone="true"]').count() == 1
    page.keyboard.press("Control+Shift+z")
    wait_url(page, f"(c.labelsByUnit || {{}})['{a}'] !== undefined")

    # a merge, undone and redone with the buttons
    frame.locator(f'{TABLE} tr[data-unit-id="{b}"]').click(modifiers=["Control"])
    frame.locator('[data-testid="merge-button"]').click()
    wait_url(page, "c.mergeGroups.length === 1")
    frame.locator('[data-testid="undo-curation"]').click()
    wait_url(page, "c.mergeGroups.length === 0")
    frame.locator('[data-testid="redo-curation"]').click()
    wait_url(page, "c.mergeGroups.length === 1")
    assert curation_in_url(page)["mergeGroups"] == [sorted([a, b], key=int)]

    # remove and restore a unit
    frame.locator(f'{TABLE} tr[data-unit-id="{c}"]').click()
    frame.locator('[data-testid="remove-units"]').click()
    wait_url(page, f"JSON.stringify(c.removedUnits) === JSON.stringify(['{c}'])")
    frame.locator('[data-testid="restore-units"]').click()
    wait_url(page, "c.removedUnits === undefined")
    frame.locator('[data-testid="remove-units"]').click()
    wait_url(page, "(c.removedUnits || []).length === 1")
    # label, undo, redo, merge, undo, redo, remove, restore, remove: every one a journal line
    wait_saved(page, 9)
    before = curation_in_url(page)

    page.reload()
    frame = page.frame_locator("iframe")
    frame.locator(f"{TABLE} tr[data-unit-id]").first.wait_for()
    wait_saved(page, 9)
    assert curation_in_url(page) == before
    assert "1 removed" in frame.locator('[data-testid="curation-summary"]').inner_text()
    # the history came back from the journal: the last removal can still be undone
    history = frame.locator('[data-testid="curation-history"] li')
    assert history.count() == 5  # label, merge, remove, restore, remove (undos and redos walk, they are not shown)
    assert "— local" in history.first.inner_text()
    frame.locator('[data-testid="undo-curation"]').click()
    wait_url(page, "c.removedUnits === undefined")
    frame.locator('[data-testid="redo-curation"]').click()
    wait_url(page, "(c.removedUnits || []).length === 1")
    wait_saved(page, 11)

    # this figure's journal: the one just written (the session's runner holds other tests' journals too)
    journals = (Path(runner_config["SORTINGVIEW_STORE_DIR"]) / "curation_journals").glob("sorting-*.jsonl")
    journal = max(journals, key=lambda path: path.stat().st_mtime)
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [r["action"]["type"] for r in records][-3:] == ["REMOVE_UNITS", "UNDO", "REDO"]
    assert {r["who"] for r in records} == {"local"}

    with page.expect_download() as download:
        frame.locator('[data-testid="export-spikeinterface"]').click()
    path = tmp_path / "curation.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text())
    Curation(**exported)  # SpikeInterface's own check
    curated = apply_curation(own_analyzer.sorting, exported)
    assert len(curated.unit_ids) == len(own_analyzer.unit_ids) - 2  # a+b merged into one, c removed
    assert c not in curated.unit_ids

    # Python reads the same curation from the figure URL (the journal in the store wins, as on the page)
    with runner_environment(runner_config):
        from spikeinterface_sortingview.curation import get_curation

        from_python = get_curation(page.evaluate("location.href"), own_analyzer)
    key = lambda labels: sorted(labels, key=lambda x: str(x["unit_id"]))  # noqa: E731
    assert key(from_python.pop("manual_labels")) == key(exported.pop("manual_labels"))
    assert from_python == exported
    assert page.errors.uncaught == [] and page.errors.console == []


def test_a_figure_starts_from_a_spikeinterface_curation(page, runner_config, runner):
    analyzer = generated_analyzer(10.0, num_channels=8, num_units=5, seed=33, sparse=True)
    u = [x.item() for x in analyzer.unit_ids]
    given = {
        "format_version": "2",
        "unit_ids": u,
        "label_definitions": {"quality": {"label_options": ["good", "noise"], "exclusive": True}},
        "manual_labels": [{"unit_id": u[4], "labels": {"quality": ["good"]}}],
        "merges": [{"unit_ids": [u[0], u[1]]}],
        "splits": [{"unit_id": u[2], "mode": "indices", "indices": [[0, 1, 2]]}],
        "removed": [u[3]],
    }
    frame = open_figure(page, summary_figure(analyzer, runner_config, curation_dict=given))
    summary = frame.locator('[data-testid="curation-summary"]')
    summary.wait_for()
    text = summary.inner_text()
    assert "1 labelled unit," in text  # unit 4; the split unit had no labels to give its parts
    assert "1 merge group" in text and "1 split" in text and "1 removed" in text
    assert frame.locator('[data-testid="label-good"]').count() == 1  # the label definitions' options
    assert frame.locator('[data-testid="label-accept"]').count() == 0
    assert page.errors.uncaught == [] and page.errors.console == []
