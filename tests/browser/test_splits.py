"""Splits and merge suggestions in Chromium, from a real ``sv-runner`` with compute.

A curator selects one unit, draws a lasso in the feature view (PCs from the runner) or the amplitudes view,
sees both parts previewed (counts, autocorrelograms, amplitudes, templates), and confirms: the page sends
``{"type": "SPLIT_UNIT", unitId, indices}`` with the full-train indices of the spikes inside the polygon,
checked here spike by spike against the analyzer's own values (the lasso is a rectangle on screen, so a
rectangle in the plot's (time, amplitude) space). The merge
suggestions panel lists SpikeInterface's auto-merge proposals; accepting one merges the units.

Hooks: the split action is announced on the figure frame's ``window`` as the ``sortingview:split-unit``
event; compute requests are read from the page's ``POST /api`` traffic. Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from tests.browser.test_viewer_pages import open_figure
from tests.browser_support import ARTIFACTS, runner_environment, undo_in_journal

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "browser"


@dataclass
class SplitFigure:
    url: str
    merge_url: str
    analyzer: object
    unit_ids: list


@pytest.fixture(scope="module")
def split_figure(runner_config: dict[str, str], runner: str) -> SplitFigure:
    """Units table, curation, merge suggestions, amplitudes (all spikes) and the feature view of a real analyzer.

    Unit 0 of the ground truth is dealt at random to units "a" and "b": one neuron that auto-merge proposes to merge.
    """
    import spikeinterface.full as si

    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview import views
    from spikeinterface_sortingview.widgets.analyzer_views import amplitudes_view
    from spikeinterface_sortingview.widgets.spike_features import share_analyzer_spike_features

    recording, truth = si.generate_ground_truth_recording(
        durations=[20.0], num_channels=8, num_units=4, seed=11, generate_sorting_kwargs={"firing_rates": 25.0}
    )
    train = truth.get_unit_spike_train(truth.unit_ids[0])
    side = np.random.default_rng(0).random(len(train)) < 0.5
    trains = {"a": train[side], "b": train[~side]}
    trains.update({f"u{u}": truth.get_unit_spike_train(u) for u in truth.unit_ids[1:]})
    sorting = si.NumpySorting.from_unit_dict([trains], truth.sampling_frequency)
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=False)
    analyzer.compute(["random_spikes", "templates", "spike_amplitudes"], verbose=False)
    unit_ids = list(analyzer.unit_ids)
    with runner_environment(runner_config):
        recording_uri = sv.share_recording(recording)
        sorting_uri = sv.share_sorting(sorting)
        # every spike, with its position in its unit's train (so the page draws split parts)
        shown = amplitudes_view(analyzer, unit_ids, with_spike_indices=True)
        amplitudes = views.SplittableSpikeAmplitudes(
            shown.start_time_sec,
            shown.end_time_sec,
            shown.units,
            sorting_uri=sorting_uri,
            spike_features_uri=share_analyzer_spike_features(analyzer),
            recording_uri=recording_uri,
        )
        table = views.UnitsTable(
            [views.UnitsTableColumn("n", "spikes", "int")],
            [views.UnitsTableRow(u, {"n": int(n)}) for u, n in sorting.count_num_spikes_per_unit().items()],
        )
        left = views.Box(
            "vertical",
            [
                views.LayoutItem(table, stretch=2),
                views.LayoutItem(views.SortingCuration2(sorting_uri=sorting_uri), max_size=230),
            ],
        )
        suggestions = views.MergeSuggestions(sorting_uri, recording_uri, presets=["x_contaminations", "slay"])
        right = views.Box(
            "vertical",
            [
                views.LayoutItem(amplitudes, stretch=1),
                views.LayoutItem(views.FeatureView(sorting_uri, recording_uri), stretch=1),
            ],
        )
        url = sv.Figure(
            views.Splitter("horizontal", views.LayoutItem(left, max_size=420), views.LayoutItem(right, stretch=3))
        ).url(label="splits")
        merge_url = sv.Figure(
            views.Splitter(
                "horizontal",
                views.LayoutItem(views.Box("vertical", [*left.items, views.LayoutItem(suggestions)]), max_size=520),
                views.LayoutItem(amplitudes, stretch=3),
            )
        ).url(label="merge suggestions")
    return SplitFigure(url, merge_url, analyzer, unit_ids)


def figure_frame(page):
    """The figure's frame (where the viewer runs), to listen for its split actions."""
    return next(f for f in page.frames if f != page.main_frame)


def record_splits(page) -> None:
    figure_frame(page).evaluate(
        "() => { window.__splits = []; window.addEventListener('sortingview:split-unit', e => window.__splits.push(e.detail)) }"
    )


def capture_polygons(page) -> list[dict]:
    """The inputs of every split_selection request the page sends."""
    inputs: list[dict] = []

    def on_request(request) -> None:
        if request.method == "POST" and request.url.endswith("/api") and request.post_data:
            query = json.loads(request.post_data).get("query", {})
            if query.get("taskName") == "sortingview.split_selection.1":
                inputs.append(query["taskInput"])

    page.on("request", on_request)
    return inputs


def lasso(page, box: dict, fractions: list[tuple[float, float]]) -> None:
    """Drag the mouse through points given as fractions of an element's box, back to the first."""
    points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in fractions]
    page.mouse.move(*points[0])
    page.mouse.down()
    for x, y in points[1:] + points[:1]:
        page.mouse.move(x, y, steps=6)
    page.mouse.up()


def select_unit(frame, unit) -> None:
    frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]').click()


def unit_order(analyzer, unit) -> tuple[np.ndarray, np.ndarray]:
    """Independently: one unit's spike times (s) and display amplitudes, in time order."""
    from spikeinterface_sortingview.widgets.common import display_precision

    spikes = analyzer.sorting.to_spike_vector()
    mask = spikes["unit_index"] == list(analyzer.unit_ids).index(unit)
    amplitudes = display_precision(analyzer.get_extension("spike_amplitudes").get_data())[mask]
    return (spikes["sample_index"][mask] / analyzer.sampling_frequency).astype("float32"), amplitudes


def rgb(frame, unit: str) -> list[int]:
    """The colour of a unit's swatch in the units table, as [r, g, b]."""
    row = frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"] .unit-swatch')
    row.wait_for()
    css = row.evaluate("e => getComputedStyle(e).backgroundColor")
    return [int(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]


def canvas_colour_counts(view, colours: list[list[int]]) -> list[int]:
    """How many pixels of the view's canvas have each colour, within 3 of each channel (after its next frame)."""
    return view.locator("canvas").first.evaluate(
        """async (canvas, colours) => {
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
          const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
          const counts = colours.map(() => 0)
          for (let i = 0; i < d.length; i += 4)
            colours.forEach(([r, g, b], k) => {
              if (d[i + 3] > 0 && Math.abs(d[i] - r) <= 3 && Math.abs(d[i + 1] - g) <= 3 && Math.abs(d[i + 2] - b) <= 3) counts[k]++
            })
          return counts
        }""",
        colours,
    )


def splits_in_url(page) -> list[dict]:
    """The splits of the curation the page keeps in its URL state."""
    values = parse_qs(urlsplit(page.evaluate("location.href")).query).get("s")
    return json.loads(values[0]).get("sortingCuration", {}).get("splits", []) if values else []


def confirm_and_read_action(page, frame) -> dict:
    # The figures of this module share one runner journal: earlier tests' splits are in the curation already.
    before = len(splits_in_url(page))
    frame.locator('[data-testid="split-confirm"]').click()
    frame.locator('[data-testid="split-done"]').first.wait_for()
    actions = figure_frame(page).evaluate("() => window.__splits")
    assert len(actions) == 1
    # the split is in the curation, not only announced: the URL state holds it
    deadline = time.monotonic() + 10
    while len(splits_in_url(page)) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert splits_in_url(page)[before:] == [{"unitId": actions[0]["unitId"], "indices": actions[0]["indices"]}]
    return actions[0]


@pytest.mark.slow
def test_a_lasso_in_the_amplitudes_view_splits_every_spike_inside_it(page, split_figure):
    page.set_viewport_size({"width": 1600, "height": 1000})
    polygons = capture_polygons(page)
    frame = open_figure(page, split_figure.url)
    record_splits(page)
    unit = "u2"
    select_unit(frame, unit)
    colour = rgb(frame, unit)
    amplitudes = frame.locator('[data-view-type="SpikeAmplitudes"]')
    amplitudes.locator('[data-testid="split-lasso"]').click()
    overlay = amplitudes.locator('[data-testid="lasso-overlay"]')
    # from 20 % to 70 % of the time axis, the upper part of the unit's band of amplitudes
    lasso(page, overlay.bounding_box(), [(0.2, 0.55), (0.7, 0.55), (0.7, 0.78), (0.2, 0.78)])
    preview = amplitudes.locator('[data-testid="split-preview"]')
    preview.locator('[data-testid="split-count-0"]').wait_for(timeout=120_000)
    assert preview.locator('[data-testid="split-amplitudes"]').count() == 1
    assert preview.locator('[data-testid="split-template"]').count() == 2
    page.screenshot(path=str(SHOTS / "split-amplitudes-preview.png"))

    polygon = np.asarray(polygons[-1]["polygon"])
    (t0, v0), (t1, v1) = polygon.min(axis=0), polygon.max(axis=0)
    times, values = unit_order(split_figure.analyzer, unit)
    expected = np.flatnonzero((times > t0) & (times < t1) & (values > v0) & (values < v1))
    counts = [int(preview.locator(f'[data-testid="split-count-{i}"]').inner_text()) for i in (0, 1)]
    assert counts == [len(expected), len(times) - len(expected)] and 0 < len(expected) < len(times)

    action = confirm_and_read_action(page, frame)
    assert action["type"] == "SPLIT_UNIT" and action["unitId"] == unit
    assert action["indices"] == expected.tolist()
    # the amplitudes view draws the parts in the units table's colours, and the unit's own colour no more
    parts = [rgb(frame, f"{unit}.{i}") for i in (1, 2)]
    select_unit(frame, f"{unit}.1")
    frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}.2"]').click(modifiers=["Control"])
    page.screenshot(path=str(SHOTS / "split-amplitudes-parts.png"))
    counts = canvas_colour_counts(amplitudes, [*parts, colour])
    assert counts[0] > 0 and counts[1] > 0 and counts[2] == 0, counts
    undo_in_journal(frame, 1)  # the figures of this module share one journal
    assert canvas_colour_counts(amplitudes, parts) == [0, 0]


def test_a_lasso_in_the_feature_view_splits_along_the_principal_components(page, split_figure):
    page.set_viewport_size({"width": 1600, "height": 1000})
    polygons = capture_polygons(page)
    frame = open_figure(page, split_figure.url)
    record_splits(page)
    # a merged unit of two neurons: a (half of one neuron) and u1
    select_unit(frame, "a")
    frame.locator('table[data-testid="units-table"] tr[data-unit-id="u1"]').click(modifiers=["Control"])
    frame.locator('[data-testid="merge-button"]').click()
    features = frame.locator('[data-view-type="FeatureView"]')
    features.locator('[data-testid="feature-view"]').wait_for(timeout=120_000)
    button = features.locator('[data-testid="split-lasso"]')
    button.click()
    overlay = features.locator('[data-testid="lasso-overlay"]')
    overlay.wait_for(timeout=120_000)
    lasso(page, overlay.bounding_box(), [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])  # the left half: PC1 low
    preview = features.locator('[data-testid="split-preview"]')
    preview.locator('[data-testid="split-count-0"]').wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "split-feature-view-preview.png"))
    counts = [int(preview.locator(f'[data-testid="split-count-{i}"]').inner_text()) for i in (0, 1)]
    trains = [split_figure.analyzer.sorting.get_unit_spike_train(u) for u in ("a", "u1")]
    assert sum(counts) == sum(len(t) for t in trains) and min(counts) > 0
    assert polygons[-1]["unit_ids"] == ["a", "u1"] and polygons[-1]["feature"] == "pca"

    action = confirm_and_read_action(page, frame)
    assert action["type"] == "SPLIT_UNIT" and action["unitId"] == "a+u1"
    assert len(action["indices"]) == counts[0] and action["indices"] == sorted(set(action["indices"]))
    # u1 is another neuron: one side of PC1 is nearly all u1 or nearly none of it
    union = np.sort(np.concatenate(trains), kind="stable")
    inside = np.isin(union[action["indices"]], trains[1])
    assert inside.mean() > 0.95 or inside.mean() < 0.05
    # the parts selected: the merged unit is drawn whole, each spike in its part's colour (as in the units table)
    parts = [rgb(frame, f"(a+u1).{i}") for i in (1, 2)]
    select_unit(frame, "(a+u1).1")
    frame.locator('table[data-testid="units-table"] tr[data-unit-id="(a+u1).2"]').click(modifiers=["Control"])
    figure_frame(page).wait_for_function(
        "() => document.querySelector('[data-view-type=\"FeatureView\"] .view-note-overlay') === null"
    )
    page.screenshot(path=str(SHOTS / "split-feature-view-parts.png"))
    counts = canvas_colour_counts(features, parts)
    assert counts[0] > 0 and counts[1] > 0, counts
    undo_in_journal(frame, 2)  # the split, then the merge
    assert splits_in_url(page) == []


@pytest.mark.slow
def test_merge_suggestions_are_accepted_or_dismissed_one_by_one(page, split_figure):
    page.set_viewport_size({"width": 1600, "height": 1000})
    frame = open_figure(page, split_figure.merge_url)
    panel = frame.locator('[data-testid="merge-suggestions"]')
    row = panel.locator('[data-testid="merge-suggestion"][data-units="a+b"]')
    row.wait_for(timeout=120_000)
    row.locator('[data-testid="merge-dismiss"]').click()
    assert row.locator('[data-testid="merge-accept"]').is_disabled()
    row.locator('[data-testid="merge-dismiss"]').click()  # restore
    row.locator('[data-testid="merge-accept"]').click()
    row.get_by_text("merged").wait_for()
    # the units table's merge group column (the journal of this sorting may hold earlier tests' merges too)
    group = frame.locator('table[data-testid="units-table"] tr[data-unit-id="a"]').inner_text()
    assert "a, b" in group
    page.screenshot(path=str(SHOTS / "merge-suggestions.png"))
