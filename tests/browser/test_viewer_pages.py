"""Figures made with ``si.plot_*(backend="sortingview")``, opened in Chromium from a real ``sv-runner``.

The viewer's test hooks: ``data-view-type`` on each leaf view's root, ``data-selected-units`` on views that show
the unit selection, ``table[data-testid="units-table"]`` with ``tr[data-unit-id]`` rows (``aria-selected``),
``data-testid="label-<label>"`` and ``"merge-button"`` in the curation panel, ``data-testid="host-error"`` for
a figure that cannot be shown. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.browser_support import runner_environment, undo_in_journal

pytestmark = pytest.mark.browser

FIGURE_FRAME = "iframe"
# Views drawn on a canvas (the others are HTML: tables, panels, text).
HTML_VIEWS = {"UnitsTable", "SortingCuration2", "SortingCuration", "Markdown"}
# In a sorting summary the cross-correlograms show the selected units only (as upstream), so they are drawn once
# units are selected in the table.
DRAWN_FOR_SELECTED_UNITS = {"CrossCorrelograms"}


# plot function name -> (keyword arguments, leaf view types its figure must show)
PLOTS: dict[str, tuple[dict, list[str]]] = {
    "plot_sorting_summary": (
        {"curation": True},
        ["UnitsTable", "SortingCuration2", "AverageWaveforms", "UnitLocations", "SpikeAmplitudes", "CrossCorrelograms"],
    ),
    "plot_autocorrelograms": ({}, ["Autocorrelograms"]),
    "plot_crosscorrelograms": ({}, ["CrossCorrelograms"]),
    "plot_amplitudes": ({}, ["SpikeAmplitudes"]),
    "plot_unit_locations": ({}, ["UnitLocations"]),
    "plot_unit_templates": ({}, ["AverageWaveforms"]),
    "plot_quality_metrics": ({}, ["UnitsTable", "UnitMetricsGraph"]),
    "plot_template_similarity": ({}, ["UnitSimilarityMatrix"]),
    "plot_spike_locations": ({}, ["SpikeLocations"]),
    "plot_unit_summary": ({"unit_id": None}, ["AverageWaveforms", "Autocorrelograms", "SpikeAmplitudes"]),
    "plot_rasters": ({}, ["RasterPlot"]),
    "plot_probe_map": ({}, ["ElectrodeGeometry"]),
}


@pytest.fixture(scope="session")
def figure_urls(analyzer, runner_config: dict[str, str], runner: str) -> dict[str, str]:
    """figURLs of every plot in PLOTS, made the user's way: ``si.plot_*(..., backend="sortingview")``."""
    import spikeinterface.full as si

    urls = {}
    with runner_environment(runner_config):
        for name, (kwargs, _) in PLOTS.items():
            kwargs = {k: (analyzer.unit_ids[0] if k == "unit_id" else v) for k, v in kwargs.items()}
            source = {"plot_rasters": analyzer.sorting, "plot_probe_map": analyzer.recording}.get(name, analyzer)
            widget = getattr(si, name)(source, backend="sortingview", display=False, **kwargs)
            assert widget.url.startswith(runner + "/f?"), widget.url
            urls[name] = widget.url
    return urls


def open_figure(page, url: str):
    """Open a figURL and wait until the view in its frame has rendered the figure; returns the frame locator."""
    page.goto(url)
    frame = page.frame_locator(FIGURE_FRAME)
    frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for()
    return frame


def url_state(page) -> dict:
    """The figURL's ``s=`` state as the host page now shows it."""
    values = parse_qs(urlsplit(page.evaluate("location.href")).query).get("s")
    return json.loads(values[0]) if values else {}


def drawn_fraction(data_url: str) -> float:
    """Share of a canvas's pixels that differ from its most common colour (0 for a blank canvas)."""
    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGBA")
    pixels = np.asarray(image).reshape(-1, 4).view(np.uint32).ravel()
    if pixels.size == 0:
        return 0.0
    colours, counts = np.unique(pixels, return_counts=True)
    return 1.0 - counts.max() / pixels.size


def wait_for_drawn_canvases(page, frame, view_type: str, timeout_s: float = 15.0) -> list[float]:
    """Wait until every canvas of the views of ``view_type`` has something drawn; return the drawn fractions."""
    canvases = frame.locator(f'[data-view-type="{view_type}"] canvas')
    fractions: list[float] = []
    for _ in range(int(timeout_s / 0.25)):
        urls = canvases.evaluate_all("cs => cs.filter(c => c.width > 0 && c.height > 0).map(c => c.toDataURL())")
        fractions = [drawn_fraction(u) for u in urls]
        if fractions and all(f > 0.001 for f in fractions):
            return fractions
        page.wait_for_timeout(250)
    return fractions


# Actions the runner's journal has acknowledged, from the curation panel's status ("journal x, N actions").
RUNNER_SAVED_ACTIONS = """() => {
  const status = document.querySelector('iframe').contentDocument.querySelector('[data-testid="curation-runner-status"]')
  const match = status && status.dataset.state === 'saved' ? /(\\d+) actions/.exec(status.title) : null
  return match ? Number(match[1]) : -1
}"""


# The page's first connection to the runner's journal runs the runner's first task, which may start Ray and a
# worker: seconds on a quiet machine, much longer on a loaded one. Later actions take milliseconds.
FIRST_TASK_TIMEOUT_MS = 180_000


def runner_saved_actions(page, timeout_ms: float = 10_000) -> int:
    """How many actions the runner's journal had acknowledged when last saved (-1 while saving or not connected)."""
    page.wait_for_function(f"() => ({RUNNER_SAVED_ACTIONS})() >= 0", timeout=timeout_ms)
    return page.evaluate(RUNNER_SAVED_ACTIONS)


def rows(frame):
    return frame.locator('table[data-testid="units-table"] tr[data-unit-id]')


@pytest.mark.parametrize("plot", list(PLOTS))
def test_figure_shows_its_views_drawn_without_console_errors(page, figure_urls, analyzer, plot: str):
    frame = open_figure(page, figure_urls[plot])
    view_types = PLOTS[plot][1]
    for view_type in view_types:
        frame.locator(f'[data-view-type="{view_type}"]').first.wait_for()
    has_table = "UnitsTable" in view_types
    later = [v for v in view_types if has_table and v in DRAWN_FOR_SELECTED_UNITS]
    for view_type in view_types:
        if view_type in HTML_VIEWS or view_type in later:
            continue
        fractions = wait_for_drawn_canvases(page, frame, view_type)
        assert fractions, f"{view_type} has no canvas with a size"
        assert all(f > 0.001 for f in fractions), f"{view_type} has a blank canvas: drawn fractions {fractions}"
    if later:
        rows(frame).nth(0).click()
        rows(frame).nth(1).click(modifiers=["Control"])
        for view_type in later:
            fractions = wait_for_drawn_canvases(page, frame, view_type)
            assert fractions, f"{view_type} has no canvas with a size after selecting two units"
            assert all(f > 0.001 for f in fractions), f"{view_type} has a blank canvas: drawn fractions {fractions}"
    assert not frame.locator('[data-view-type="missing"]').count()
    assert page.errors.uncaught == []
    assert page.errors.console == []


@pytest.mark.parametrize("plot", ["plot_sorting_summary", "plot_quality_metrics"])
def test_units_table_has_one_row_per_unit(page, figure_urls, analyzer, plot: str):
    frame = open_figure(page, figure_urls[plot])
    rows(frame).first.wait_for()
    assert sorted(rows(frame).evaluate_all("rs => rs.map(r => r.dataset.unitId)")) == sorted(
        str(u) for u in analyzer.unit_ids
    )
    assert rows(frame).evaluate_all("rs => rs.map(r => r.getAttribute('aria-selected'))") == ["false"] * len(
        analyzer.unit_ids
    )


def test_selecting_a_unit_in_the_table_selects_it_in_the_other_views(page, figure_urls, analyzer):
    frame = open_figure(page, figure_urls["plot_sorting_summary"])
    unit = str(analyzer.unit_ids[2])
    row = frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]')
    row.click()
    assert row.get_attribute("aria-selected") == "true"
    others = frame.locator('[data-view-type="AverageWaveforms"][data-selected-units]')
    others.first.wait_for()
    page.wait_for_function(
        """unit => [...document.querySelector('iframe').contentDocument
              .querySelectorAll('[data-view-type="AverageWaveforms"][data-selected-units]')]
              .some(v => v.dataset.selectedUnits.split(',').includes(unit))""",
        arg=unit,
        timeout=10_000,
    )
    shown = frame.locator("[data-selected-units]").evaluate_all(
        "vs => vs.map(v => [v.dataset.viewType, v.dataset.selectedUnits])"
    )
    assert shown, "no view exposes data-selected-units"
    for view_type, selected in shown:
        assert selected.split(",") == [unit], f"{view_type} shows selection {selected!r}, expected {unit!r}"
    assert page.errors.uncaught == [] and page.errors.console == []


def test_labels_and_merges_change_the_url_state_and_survive_a_reload(page, figure_urls, analyzer):
    frame = open_figure(page, figure_urls["plot_sorting_summary"])
    first, second = str(analyzer.unit_ids[0]), str(analyzer.unit_ids[1])
    table = 'table[data-testid="units-table"]'
    before = url_state(page)
    runner_saved_actions(page, FIRST_TASK_TIMEOUT_MS)  # connected to the journal: Ray and its worker are up

    frame.locator(f'{table} tr[data-unit-id="{first}"]').click()
    frame.locator('[data-testid="label-accept"]').click()
    page.wait_for_function("() => new URL(location.href).searchParams.has('s')", timeout=10_000)
    labelled = url_state(page)
    assert labelled != before
    assert labelled["sortingCuration"]["labelsByUnit"][first] == ["accept"]

    frame.locator(f'{table} tr[data-unit-id="{second}"]').click(modifiers=["Control"])
    assert frame.locator(f"{table} tr[aria-selected=true]").count() == 2
    saved_before = runner_saved_actions(page)
    frame.locator('[data-testid="merge-button"]').click()
    page.wait_for_function("() => (new URL(location.href).searchParams.get('s') || '').includes('mergeGroups')")
    merged = url_state(page)["sortingCuration"]
    assert [sorted(map(str, g)) for g in merged["mergeGroups"]] == [sorted([first, second])]
    # The runner's journal wins on reload: reload once it has the merge, as a curator sees "Saved on the runner".
    page.wait_for_function(f"() => ({RUNNER_SAVED_ACTIONS})() > {saved_before}", timeout=10_000)

    page.reload()
    frame = page.frame_locator(FIGURE_FRAME)
    frame.locator(f'{table} tr[data-unit-id="{first}"]').wait_for()
    assert url_state(page)["sortingCuration"] == merged
    assert "accept" in frame.locator(f'{table} tr[data-unit-id="{first}"]').inner_text()
    frame.locator(f'{table} tr[data-unit-id="{first}"]').click()
    assert frame.locator('[data-testid="label-accept"]').get_attribute("aria-pressed") == "true"
    assert page.errors.uncaught == [] and page.errors.console == []
    undo_in_journal(frame, 2)  # the merge and the label: other tests show this sorting uncurated


def test_saved_curation_is_stored_on_the_runner_and_restored(page, figure_urls, analyzer, runner):
    frame = open_figure(page, figure_urls["plot_sorting_summary"])
    unit = str(analyzer.unit_ids[3])
    frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]').click()
    frame.locator('[data-testid="label-noise"]').click()
    frame.locator('[data-testid="save-curation"]').click()
    frame.locator('[data-testid="curation-saved-uri"]').wait_for()
    page.wait_for_function("() => (new URL(location.href).searchParams.get('s') || '').includes('sha1://')")
    uri = url_state(page)["sortingCuration"]
    saved = httpx.get(f"{runner}/sha1/{uri.removeprefix('sha1://')}", timeout=10).json()
    assert saved["labelsByUnit"][unit] == ["noise"]

    page.reload()
    frame = page.frame_locator(FIGURE_FRAME)
    row = frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]')
    row.wait_for()
    assert "noise" in row.inner_text()
    assert page.errors.uncaught == [] and page.errors.console == []


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("d=not-a-uri&label=broken", "not-a-uri"),
        ("d=sha1://1234&label=broken", "sha1://1234"),
        (f"d=sha1://{'0' * 40}&label=gone", "0" * 40),
        ("label=no-data", "d="),
    ],
    ids=["not-a-uri", "short-hash", "unknown-hash", "no-d"],
)
def test_malformed_figure_url_gives_a_readable_error(page, runner, query: str, mentions: str):
    page.goto(f"{runner}/f?v={runner}/viewer&{query}")
    error = page.locator('[data-testid="host-error"]')
    error.wait_for()
    text = error.inner_text()
    assert mentions in text, text
    assert len(text.split()) >= 5 and "undefined" not in text and "[object" not in text
    assert page.errors.uncaught == []


def test_unit_locations_zoom_with_the_wheel_pan_with_a_drag_and_fit_again(page, figure_urls):
    frame = open_figure(page, figure_urls["plot_unit_locations"])
    view = frame.locator('[data-view-type="UnitLocations"]')
    canvas = view.locator("canvas").first
    wait_for_drawn_canvases(page, frame, "UnitLocations")
    fitted = canvas.evaluate("c => c.toDataURL()")
    assert canvas.get_attribute("data-zoomed") == "false"

    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function(
        """() => document.querySelector('iframe').contentDocument
              .querySelector('[data-view-type="UnitLocations"] canvas').dataset.zoomed === 'true'"""
    )
    page.wait_for_timeout(100)
    zoomed = canvas.evaluate("c => c.toDataURL()")
    assert zoomed != fitted

    # A drag moves the drawing and selects nothing.
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 40, steps=5)
    page.mouse.up()
    page.wait_for_timeout(100)
    assert canvas.evaluate("c => c.toDataURL()") not in (zoomed, fitted)
    assert (view.get_attribute("data-selected-units") or "") == ""

    view.get_by_role("button", name="fit").click()
    page.wait_for_timeout(100)
    assert canvas.get_attribute("data-zoomed") == "false"
    assert canvas.evaluate("c => c.toDataURL()") == fitted
    assert page.errors.uncaught == [] and page.errors.console == []
