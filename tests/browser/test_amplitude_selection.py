"""SpikeAmplitudes with a selection: the selected unit in its colour over the others in pale colours, the same
picture whether the pale layer is drawn for this selection or kept from the last one."""

from __future__ import annotations

import numpy as np
import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview import views
from tests.browser_support import runner_environment

pytestmark = pytest.mark.browser

NUM_UNITS = 6
CANVAS = '[data-view-type="SpikeAmplitudes"] canvas'
ROW = 'table[data-testid="units-table"] tr[data-unit-id="{}"]'

# The plot's pixels: a hash of all of them, and the rows holding strong (a selected unit's) and pale pixels.
# A pale colour is a colour mixed 80% with white, so each of its channels is at least 204.
PIXELS_JS = """(canvas) => {
  const { width, height } = canvas
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data
  let hash = 2166136261, strong = 0, pale = 0, top = height, bottom = -1
  for (let i = 0; i < data.length; i += 4) {
    hash = Math.imul(hash ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16)), 16777619) >>> 0
    const x = (i / 4) % width
    if (x < 70 * devicePixelRatio || data[i + 3] === 0) continue  // the y axis' labels
    const lowest = Math.min(data[i], data[i + 1], data[i + 2])
    if (lowest >= 204 && lowest < 250) pale++
    else if (lowest < 190 && !(data[i] === data[i + 1] && data[i + 1] === data[i + 2])) {
      strong++
      const y = Math.floor(i / 4 / width)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  return { hash, strong, pale, top, bottom }
}"""


@pytest.fixture(scope="module")
def figure_url(runner_config: dict[str, str], runner: str) -> str:
    """A units table beside the amplitudes of 6 units, each in its own band of amplitudes."""
    rng = np.random.default_rng(11)
    items = []
    for u in range(NUM_UNITS):
        times = np.sort(rng.uniform(0, 100, 4000)).astype("float32")
        items.append(views.SpikeAmplitudesItem(u, times, (-50.0 * (u + 1) + rng.normal(0, 4, 4000)).astype("float32")))
    amplitudes = views.SpikeAmplitudes(0.0, 100.0, items)
    table = views.UnitsTable([], [views.UnitsTableRow(u, {}) for u in range(NUM_UNITS)])
    with runner_environment(runner_config):
        return sv.Figure(views.Box("horizontal", [table, amplitudes])).url(label="amplitudes, selection")


def pixels_after(page, frame, select: str | None = None) -> dict:
    """Select a unit (a row click) and return the plot's pixels once drawn."""
    if select is not None:
        frame.locator(ROW.format(select)).click()
        frame.locator(f'{ROW.format(select)}[aria-selected="true"]').wait_for()
    page.wait_for_timeout(200)  # the redraw happens on the next animation frame
    return frame.locator(CANVAS).evaluate(PIXELS_JS)


def test_a_selected_unit_is_drawn_over_pale_units_the_same_with_a_kept_pale_layer(page, figure_url: str):
    page.goto(figure_url)
    frame = page.frame_locator("iframe")
    frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for()
    frame.locator(CANVAS).wait_for()
    nothing = pixels_after(page, frame)
    assert nothing["pale"] == 0 and nothing["strong"] > 0  # no selection: every unit in its colour

    first = pixels_after(page, frame, "2")  # the pale layer drawn for this window
    assert first["pale"] > 1000 and first["strong"] > 100
    # the strong pixels are unit 2's band only: one of six bands, about a sixth of the plot's height
    assert first["bottom"] - first["top"] < 0.3 * (nothing["bottom"] - nothing["top"])

    other = pixels_after(page, frame, "4")  # the same window: the kept layer, another unit over it
    assert other["hash"] != first["hash"] and other["top"] > first["bottom"]  # amplitudes of unit 4 are lower
    again = pixels_after(page, frame, "2")
    assert again == first

    # Another window (zoomed in): the layer is drawn again for it; back to the whole recording, the same picture.
    frame.locator('[data-view-type="SpikeAmplitudes"] button[title="Zoom in"]').click()
    zoomed = pixels_after(page, frame)
    assert zoomed["hash"] != first["hash"] and zoomed["strong"] > 0 and zoomed["pale"] > 0
    frame.locator('[data-view-type="SpikeAmplitudes"] button[title="Show the whole recording"]').click()
    assert pixels_after(page, frame) == first
    assert not page.errors.uncaught, page.errors.uncaught
