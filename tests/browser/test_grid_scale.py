"""At 1,000 units the templates grid has only the cells near its view in the DOM, and the cross-correlograms
decode only the pairs they show, with the figure's values."""

from __future__ import annotations

import numpy as np
import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview import views
from tests.browser_support import runner_environment

pytestmark = pytest.mark.browser

NUM_UNITS = 1_000
NUM_CHANNELS = 16
# Cross-correlograms of every pair among the first units, an autocorrelogram for every unit.
CROSS_UNITS = 40
NUM_BINS = 40
GRID = '[data-view-type="AverageWaveforms"] .plot-grid'
CELLS = f"{GRID} .plot-grid-cell"
CC = '[data-view-type="CrossCorrelograms"]'


def bin_counts(a: int, b: int) -> np.ndarray:
    """Counts that differ between pairs and between lags (a peak at a lag that depends on the pair)."""
    lags = np.arange(NUM_BINS)
    return ((a * 31 + b * 17 + lags * 7) % 50 + 100 * (lags == (a + 2 * b) % NUM_BINS) * (1 + a + b)).astype("int32")


def pairs() -> list[tuple[int, int]]:
    cross = [(a, b) for a in range(CROSS_UNITS) for b in range(a + 1, CROSS_UNITS)]
    return [(u, u) for u in range(NUM_UNITS)] + cross


@pytest.fixture(scope="module")
def grid_url(runner_config: dict[str, str], runner: str) -> str:
    """Templates and cross-correlograms of 1,000 units, side by side."""
    rng = np.random.default_rng(5)
    locations = np.stack([np.zeros(NUM_CHANNELS), np.arange(NUM_CHANNELS) * 20.0], axis=1)
    channel_ids = [f"ch{c}" for c in range(NUM_CHANNELS)]
    shape = -np.exp(-(((np.arange(30) - 10) / 3.0) ** 2))
    templates = []
    for u in range(NUM_UNITS):
        first = u % (NUM_CHANNELS - 4)
        scale = (1 + rng.random((4, 1)) * 3) * (20 + u % 50)
        templates.append(
            views.AverageWaveformItem(u, channel_ids[first : first + 4], (scale * shape).astype("float32"))
        )
    waveforms = views.AverageWaveforms(templates, channel_ids=channel_ids, channel_locations=locations)
    edges = (np.arange(NUM_BINS + 1) - NUM_BINS / 2).astype("float32") / 1000
    correlograms = views.CrossCorrelograms(
        [views.CrossCorrelogramItem(a, b, edges, bin_counts(a, b)) for a, b in pairs()]
    )
    layout = views.Box("horizontal", [waveforms, correlograms])
    with runner_environment(runner_config):
        return sv.Figure(layout).url(label="1,000 units, templates and correlograms")


def cell_ids(frame) -> list[str]:
    return frame.locator(CELLS).evaluate_all("(cells) => cells.map((c) => c.dataset.unitId)")


def correlogram_maxima(frame) -> dict[str, int]:
    """Each cross-correlogram cell's title ("3 × 5") and the tallest bar it says it drew."""
    return frame.locator(f"{CC} .plot-grid-cell").evaluate_all(
        """(cells) => Object.fromEntries(cells.map((c) => [c.querySelector('.plot-grid-title').textContent,
             Number(/max (\\d+)/.exec(c.querySelector('canvas').dataset.axisY || '')?.[1] ?? -1)]))"""
    )


def expected_maxima(units: list[int]) -> dict[str, int]:
    # A pair is stored as (a, b) with a < b: the view mirrors it for (b, a), which keeps its tallest bar.
    return {f"{a} × {b}": int(bin_counts(min(a, b), max(a, b)).max()) for a in units for b in units}


def wait_for_maxima(page, frame, units: list[int]) -> dict[str, int]:
    expected = expected_maxima(units)
    for _ in range(60):
        shown = correlogram_maxima(frame)
        if shown == expected:
            break
        page.wait_for_timeout(250)
    return shown


def test_the_templates_grid_of_1000_units_has_the_cells_in_view_only(page, grid_url: str):
    page.goto(grid_url)
    frame = page.frame_locator("iframe")
    frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for()
    frame.locator(CELLS).first.wait_for()
    grid = frame.locator(GRID)
    shown = cell_ids(frame)
    assert 8 <= len(shown) <= 100, len(shown)
    assert grid.get_attribute("data-cells") == str(NUM_UNITS)
    assert shown[:3] == ["0", "1", "2"] and "999" not in shown
    # The scroll bar is the whole grid's: about 1,000 cells' worth of rows.
    scroll = grid.evaluate("(g) => ({ height: g.scrollHeight, client: g.clientHeight })")
    cell = frame.locator(CELLS).first.bounding_box()
    columns = sum(1 for c in frame.locator(CELLS).all()[:20] if abs(c.bounding_box()["y"] - cell["y"]) < 1)
    assert scroll["height"] >= (NUM_UNITS / columns - 1) * cell["height"], (scroll, cell, columns)

    # The cells in view are drawn.
    drawn = frame.locator(f"{CELLS} canvas").evaluate_all(
        "(cs) => cs.filter((c) => c.getBoundingClientRect().bottom < innerHeight).map((c) => c.width > 0)"
    )
    assert drawn and all(drawn)

    # Scrolling to the end brings the last units in (and still few cells).
    grid.evaluate("(g) => { g.scrollTop = g.scrollHeight }")
    frame.locator(f'{CELLS}[data-unit-id="999"]').wait_for()
    shown = cell_ids(frame)
    assert len(shown) <= 100 and "0" not in shown
    last = frame.locator(f'{CELLS}[data-unit-id="999"]').bounding_box()
    view = grid.bounding_box()
    assert view["y"] <= last["y"] and last["y"] + last["height"] <= view["y"] + view["height"] + 1

    # A click on a cell far down the grid selects its unit.
    frame.locator(f'{CELLS}[data-unit-id="990"]').click()
    frame.locator(f'{CELLS}[data-unit-id="990"].selected').wait_for()
    assert not page.errors.uncaught, page.errors.uncaught


def test_correlograms_decode_only_the_shown_pairs_with_the_figures_values(page, grid_url: str):
    page.goto(grid_url)
    frame = page.frame_locator("iframe")
    frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for()
    view = frame.locator(f"{CC} .cc-layout")
    view.wait_for()
    assert view.get_attribute("data-pairs") == str(len(pairs()))
    # The view selects the first 4 units when it opens: their 16 cells from 10 stored pairs (4 autocorrelograms, 6 pairs)
    assert wait_for_maxima(page, frame, [0, 1, 2, 3]) == expected_maxima([0, 1, 2, 3])
    assert view.get_attribute("data-decoded-pairs") == "10"

    # Another selection, made in the templates grid: units 5 and 12 (ctrl-click adds).
    frame.locator(f'{CELLS}[data-unit-id="5"]').click()
    frame.locator(f'{CELLS}[data-unit-id="12"]').click(modifiers=["Control"])
    assert wait_for_maxima(page, frame, [5, 12]) == expected_maxima([5, 12])
    assert int(view.get_attribute("data-decoded-pairs")) == 13
    # A pair the figure does not have (unit 800 with unit 5) says so.
    grid = frame.locator(GRID)
    grid.evaluate("(g) => { g.scrollTop = g.scrollHeight * 0.8 }")
    frame.locator(f'{CELLS}[data-unit-id="800"]').click(modifiers=["Control"])
    frame.locator(f'{CC} .plot-grid-cell[data-state="absent"]').first.wait_for()
    titles = frame.locator(f'{CC} .plot-grid-cell[data-state="absent"] .plot-grid-title').all_text_contents()
    assert sorted(titles) == ["12 × 800", "5 × 800", "800 × 12", "800 × 5"]
    assert not page.errors.uncaught, page.errors.uncaught
