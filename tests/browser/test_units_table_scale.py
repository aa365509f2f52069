"""A units table of 1,000 units renders the rows in view only, and a selection changes those rows only."""

from __future__ import annotations

import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview import views
from tests.browser_support import runner_environment

pytestmark = pytest.mark.browser

NUM_UNITS = 1_000
CONTAINER = '[data-view-type="UnitsTable"] .units-table-container'
ROWS = 'table[data-testid="units-table"] tbody tr[data-unit-id]'

# Counts the table rows whose content or attributes change until the next two frames.
COUNT_CHANGED_ROWS_JS = """(selector) => new Promise((resolve) => {
  const changed = new Set()
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement
      const row = node && node.closest('tbody tr')
      if (row) changed.add(row)
    }
  })
  observer.observe(document.querySelector('table[data-testid="units-table"] tbody'),
    { subtree: true, childList: true, attributes: true, characterData: true })
  document.querySelector(selector).click()
  requestAnimationFrame(() => requestAnimationFrame(() => { observer.disconnect(); resolve(changed.size) }))
})"""


@pytest.fixture(scope="module")
def table_url(runner_config: dict[str, str], runner: str) -> str:
    """A figure of one units table: 1,000 units, a spike count each, unit 0 similar to every other unit."""
    rows = [views.UnitsTableRow(u, {"num_spikes": (u * 7919) % 1000}) for u in range(NUM_UNITS)]
    scores = [views.UnitSimilarityScore(a, b, 0.5) for u in range(1, NUM_UNITS) for a, b in ((0, u), (u, 0))]
    table = views.UnitsTable([views.UnitsTableColumn("num_spikes", "num spikes", "int")], rows, scores)
    with runner_environment(runner_config):
        return sv.Figure(table).url(label="1,000 units")


def rendered_ids(frame) -> list[str]:
    return frame.locator(ROWS).evaluate_all("(rows) => rows.map((row) => row.dataset.unitId)")


def test_a_table_of_1000_units_renders_the_rows_in_view(page, table_url: str):
    page.goto(table_url)
    frame = page.frame_locator("iframe")
    frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for()
    container = frame.locator(CONTAINER)
    shown = rendered_ids(frame)
    assert 20 <= len(shown) <= 120, len(shown)
    assert shown[0] == "0" and "80" not in shown
    assert container.get_attribute("data-rows") == str(NUM_UNITS)

    # Selecting unit 0 adds a similarity cell to every row: only the rendered rows change.
    figure = next(f for f in page.frames if f != page.main_frame)
    changed = figure.evaluate(COUNT_CHANGED_ROWS_JS, 'table[data-testid="units-table"] tr[data-unit-id="0"]')
    assert 1 <= changed <= 120, changed
    assert frame.locator('tr[data-unit-id="5"] td[data-similarity="0.500"]').count() == 1

    # The arrow keys walk the rows and keep the selected one in view, rendering it when it was not.
    for _ in range(80):
        container.press("ArrowDown")
    row = frame.locator('tr[data-unit-id="80"]')
    row.wait_for()
    assert row.get_attribute("aria-selected") == "true"
    box, view = row.bounding_box(), container.bounding_box()
    assert view["y"] <= box["y"] and box["y"] + box["height"] <= view["y"] + view["height"] + 1

    # Scrolling to the end renders the last rows; the scroll bar is the whole table's.
    container.evaluate("(c) => { c.scrollTop = c.scrollHeight }")
    frame.locator('tr[data-unit-id="999"]').wait_for()
    assert len(rendered_ids(frame)) <= 120
    assert not page.errors.uncaught, page.errors.uncaught
