"""The viewer shows each view as soon as its own data has arrived, not when every view's data has.

A real ``sv-runner`` serves the figure; Playwright holds the response of one view's data file (a route that is
neither continued nor fulfilled until the test lets it go) and the test checks what the page shows meanwhile.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview import views
from spikeinterface_sortingview.views.figure_document import build_figure_files
from tests.browser_support import runner_environment

pytestmark = pytest.mark.browser

TABLE = 'table[data-testid="units-table"]'


def held_figure() -> views.Box:
    """A units table of units 1 to 3, a selection panel, and a raster that also names unit 4."""
    times = np.array([0.5, 1.5, 2.5], dtype="float32")
    table = views.UnitsTable(
        [views.UnitsTableColumn("num_spikes", "num spikes", "int")],
        [views.UnitsTableRow(u, {"num_spikes": 3}) for u in (1, 2, 3)],
    )
    raster = views.RasterPlot(0, 3, [views.RasterPlotItem(u, times + 0.1 * u) for u in (1, 2, 3, 4)])
    left = views.Box(
        "vertical", [views.LayoutItem(table, stretch=3), views.LayoutItem(views.SortingSelection(), max_size=80)]
    )
    return views.Box("horizontal", [left, views.LayoutItem(raster, stretch=2)])


def raster_file_hash(figure: views.Box) -> str:
    """The SHA-1 naming the raster's data file (the figure's files are content-addressed, so known beforehand)."""
    files = build_figure_files(figure)
    document = json.loads(files.document)
    (uri,) = [v["dataUri"] for v in document["views"] if v["type"] == "RasterPlot"]
    return uri.removeprefix("sha1://")


def test_views_are_drawn_while_another_views_data_is_held(page, runner_config: dict[str, str], runner: str):
    figure = held_figure()
    with runner_environment(runner_config):
        url = sv.Figure(figure).url(label="one view held")
    held = []
    page.route(f"**/sha1/{raster_file_hash(figure)}", lambda route: held.append(route))
    page.goto(url)
    frame = page.frame_locator("iframe")

    # The table and the selection panel are shown; the raster is a placeholder saying it is loading.
    frame.locator(f'{TABLE} tr[data-unit-id="3"]').wait_for()
    placeholder = frame.locator('[data-view-loading="RasterPlot"]')
    placeholder.wait_for()
    assert "Loading RasterPlot" in placeholder.inner_text()
    assert len(held) == 1, "the raster's data file was asked for once, and is being held"
    assert frame.locator('[data-view-type="RasterPlot"]').count() == 0
    assert frame.locator('[data-testid="figure-root"]').get_attribute("data-loaded") == "false"
    assert "of 3 units" in frame.locator('[data-view-type="SortingSelection"]').inner_text()

    held[0].continue_()
    frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for()
    assert frame.locator("[data-view-loading]").count() == 0
    # The raster drew, and the unit only it names joined the figure's units.
    frame.locator('[data-view-type="RasterPlot"] canvas').first.wait_for()
    assert "of 4 units" in frame.locator('[data-view-type="SortingSelection"]').inner_text()
    assert not page.errors.uncaught, page.errors.uncaught
