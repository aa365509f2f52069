"""Each widget's figure reads at a glance: full-size screenshots (1600x1000) of a 20-unit analyzer in Chromium.

What is drawn on a canvas is not in the DOM, so the drawing code writes what it drew onto the canvas element:
``data-axis-x`` / ``data-axis-y`` (axis labels with their units, from ``draw/axes.ts``) and ``data-color-scale``
(a matrix's colour bar, "<min>..<max> <label>"). How much of a panel the drawing fills is measured on the
screenshot itself (non-background pixels inside the view's box). Screenshots go to test-artifacts/readability/.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from tests.browser.conftest import generated_analyzer
from tests.browser.test_viewer_pages import FIGURE_FRAME, wait_for_drawn_canvases
from tests.browser_support import ARTIFACTS, runner_environment

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "readability"
VIEWPORT = {"width": 1600, "height": 1000}


@pytest.fixture(scope="module")
def analyzer20():
    """20 units on a 32-channel probe, 30 s, sparse."""
    return generated_analyzer(30.0, num_channels=32, num_units=20, seed=2205, sparse=True)


@pytest.fixture(scope="module")
def urls(analyzer20, runner_config: dict[str, str], runner: str) -> dict[str, str]:
    """figURLs of each widget, made the user's way."""
    import spikeinterface.full as si

    plots = {
        "plot_amplitudes": {},
        "plot_autocorrelograms": {},
        "plot_crosscorrelograms": {},
        "plot_quality_metrics": {},
        "plot_template_similarity": {},
        "plot_probe_map": {},
        "plot_spike_locations": {},
        "plot_unit_locations": {},
        "plot_unit_templates": {},
        "plot_sorting_summary": {"curation": True},
    }
    out = {}
    with runner_environment(runner_config):
        for name, kwargs in plots.items():
            source = analyzer20.recording if name == "plot_probe_map" else analyzer20
            out[name] = getattr(si, name)(source, backend="sortingview", display=False, **kwargs).url
    return out


@pytest.fixture
def big_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors_seen = errors
    yield page
    context.close()


def show(page, url: str, view_types: list[str], name: str):
    """Open a figure at 1600x1000, wait until its canvases are drawn, save a screenshot; return (frame, image)."""
    page.goto(url)
    frame = page.frame_locator(FIGURE_FRAME)
    for view_type in view_types:
        frame.locator(f'[data-view-type="{view_type}"]').first.wait_for()
        wait_for_drawn_canvases(page, frame, view_type)
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=str(SHOTS / f"{name}.png"))
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)
    return frame, image


def box_of(page, frame, selector: str) -> dict:
    """Page coordinates of an element inside the figure frame."""
    inner = frame.locator(selector).first.bounding_box()
    assert inner is not None, f"{selector} is not shown"
    return inner


def filled_extent(image: np.ndarray, box: dict) -> tuple[float, float]:
    """The fraction of a box's width and height spanned by pixels that differ from its background colour."""
    x0, y0 = int(box["x"]), int(box["y"])
    x1, y1 = int(box["x"] + box["width"]), int(box["y"] + box["height"])
    region = image[y0:y1, x0:x1]
    flat = region.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    drawn = np.abs(region - background).sum(axis=2) > 30
    if not drawn.any():
        return 0.0, 0.0
    cols = np.flatnonzero(drawn.any(axis=0))
    rows = np.flatnonzero(drawn.any(axis=1))
    return (cols[-1] - cols[0] + 1) / region.shape[1], (rows[-1] - rows[0] + 1) / region.shape[0]


def canvas_data(frame, view_type: str) -> list[dict]:
    """The data attributes of every canvas of a view."""
    return frame.locator(f'[data-view-type="{view_type}"] canvas').evaluate_all(
        "cs => cs.map(c => Object.assign({}, c.dataset))"
    )


def drawn_share(image: np.ndarray, box: dict) -> float:
    """The share of a box's pixels that differ from its background colour."""
    x0, y0 = int(box["x"]), int(box["y"])
    region = image[y0 : int(y0 + box["height"]), x0 : int(x0 + box["width"])]
    colours, counts = np.unique(region.reshape(-1, 3), axis=0, return_counts=True)
    return float((np.abs(region - colours[counts.argmax()]).sum(axis=2) > 30).mean())


def unit_rows(frame, scope: str = "") -> int:
    return frame.locator(f'{scope} table[data-testid="units-table"] tr[data-unit-id]').count()


def assert_fills(image: np.ndarray, box: dict, what: str, width: float = 0.8, height: float = 0.8) -> None:
    w, h = filled_extent(image, box)
    assert w >= width and h >= height, f"{what} spans {w:.0%} of its panel's width and {h:.0%} of its height"


def test_amplitudes_have_units_on_their_axes_and_a_units_table(big_page, urls, analyzer20):
    frame, image = show(big_page, urls["plot_amplitudes"], ["SpikeAmplitudes"], "plot_amplitudes")
    (axes,) = canvas_data(frame, "SpikeAmplitudes")
    assert axes["axisY"] == "amplitude (µV)" and axes["axisX"] == "time (s)"
    assert unit_rows(frame) == len(analyzer20.unit_ids)
    assert_fills(image, box_of(big_page, frame, '[data-view-type="SpikeAmplitudes"] canvas'), "the amplitudes")
    # picking a unit in the table highlights it in the plot
    frame.locator('tr[data-unit-id="3"]').click()
    view = frame.locator('[data-view-type="SpikeAmplitudes"]')
    assert view.get_attribute("data-selected-units") == "3"
    assert big_page.errors_seen == []


@pytest.mark.parametrize("plot", ["plot_autocorrelograms", "plot_crosscorrelograms"])
def test_correlograms_say_their_lags_are_in_ms(big_page, urls, plot: str):
    view_type = "Autocorrelograms" if plot == "plot_autocorrelograms" else "CrossCorrelograms"
    frame, image = show(big_page, urls[plot], [view_type], plot)
    cells = [c for c in canvas_data(frame, view_type) if c]  # cells scrolled out of view are not drawn yet
    assert cells and all(c.get("axisX") == "lag (ms)" and c["axisY"].startswith("count") for c in cells), cells[:3]
    if plot == "plot_autocorrelograms":
        # 20 units: the cells fill the panel instead of a corner of it
        assert_fills(image, box_of(big_page, frame, f'[data-view-type="{view_type}"]'), "the autocorrelograms")
    assert big_page.errors_seen == []


def test_metric_histograms_have_a_y_axis_and_fill_their_panel(big_page, urls):
    frame, image = show(big_page, urls["plot_quality_metrics"], ["UnitMetricsGraph"], "plot_quality_metrics")
    cells = canvas_data(frame, "UnitMetricsGraph")
    assert {c["axisX"] for c in cells} == {"snr", "firing_rate", "isi_violations_ratio", "isi_violations_count"}
    assert all(c["axisY"] == "units" for c in cells)
    assert_fills(image, box_of(big_page, frame, '[data-view-type="UnitMetricsGraph"]'), "the histograms", 0.9, 0.6)


def test_similarity_matrix_has_a_colour_scale_and_uses_the_panel(big_page, urls):
    frame, image = show(
        big_page, urls["plot_template_similarity"], ["UnitSimilarityMatrix"], "plot_template_similarity"
    )
    (matrix,) = canvas_data(frame, "UnitSimilarityMatrix")
    assert re.fullmatch(r"-?0\.\d\d\.\.1\.00 similarity", matrix["colorScale"]), matrix["colorScale"]
    assert_fills(image, box_of(big_page, frame, '[data-view-type="UnitSimilarityMatrix"]'), "the matrix", 0.9, 0.9)
    # SpikeInterface blanks the diagonal: it reads "no value", not 0
    canvas = frame.locator('[data-view-type="UnitSimilarityMatrix"] canvas')
    box = canvas.bounding_box()
    big_page.mouse.move(box["x"] + 36 + 5, box["y"] + 36 + 5)
    assert "no value" in frame.locator('[data-view-type="UnitSimilarityMatrix"]').inner_text()


def test_probe_map_draws_its_contacts_large(big_page, urls):
    frame, image = show(big_page, urls["plot_probe_map"], ["ElectrodeGeometry"], "plot_probe_map")
    box = box_of(big_page, frame, '[data-view-type="ElectrodeGeometry"]')
    width, _ = filled_extent(image, box)
    assert width >= 0.9, f"the probe spans {width:.0%} of the panel's width"
    # 32 contacts of a 2 x 16 probe: before, 14 px squares (0.4 % of the panel); now a tenth of it and more
    assert drawn_share(image, box) > 0.05


@pytest.mark.parametrize(
    ("plot", "view_type"), [("plot_unit_locations", "UnitLocations"), ("plot_spike_locations", "SpikeLocations")]
)
def test_locations_fill_their_panel_with_um_axes_and_a_units_table(big_page, urls, analyzer20, plot, view_type):
    frame, image = show(big_page, urls[plot], [view_type], plot)
    (drawing,) = canvas_data(frame, view_type)
    assert drawing["axisX"] == "x (µm)" and drawing["axisY"] == "y (µm)"
    assert float(drawing["stretch"]) > 1  # a tall probe fitted to a wide panel: x is stretched, and says so
    assert_fills(image, box_of(big_page, frame, f'[data-view-type="{view_type}"] canvas'), plot, 0.9, 0.9)
    assert unit_rows(frame) == len(analyzer20.unit_ids)
    frame.locator('tr[data-unit-id="5"]').click()
    assert frame.locator(f'[data-view-type="{view_type}"]').get_attribute("data-selected-units") == "5"
    assert big_page.errors_seen == []


def test_templates_fill_their_cells_without_clipping_the_mean(big_page, urls):
    frame, image = show(big_page, urls["plot_unit_templates"], ["AverageWaveforms"], "plot_unit_templates")
    assert frame.locator('[data-view-type="AverageWaveforms"] .plot-grid-cell').count() == 20
    assert big_page.errors_seen == []


def test_summary_similarity_column_comes_last_and_says_what_a_blank_is(big_page, urls):
    frame, _ = show(big_page, urls["plot_sorting_summary"], ["UnitsTable"], "plot_sorting_summary")
    headers = frame.locator('table[data-testid="units-table"] th')
    before = headers.all_inner_texts()
    frame.locator('tr[data-unit-id="1"]').click()
    frame.locator("th", has_text="Similarity to 1").wait_for()
    after = headers.all_inner_texts()
    assert after[:-1] == before and after[-1].startswith("Similarity to 1")
    cells = frame.locator("td[data-similarity]").evaluate_all("cs => cs.map(c => [c.dataset.similarity, c.innerText])")
    assert ["reference", "selected"] in cells
    assert all(text for _, text in cells), "a similarity cell is blank"
    assert any(kind == "below" for kind, _ in cells)


def test_summary_units_table_scrolls_sideways_when_narrow(browser, urls):
    context = browser.new_context(viewport={"width": 900, "height": 700})
    try:
        page = context.new_page()
        page.goto(urls["plot_sorting_summary"])
        frame = page.frame_locator(FIGURE_FRAME)
        frame.locator('table[data-testid="units-table"] tr[data-unit-id]').first.wait_for()
        page.wait_for_timeout(300)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "plot_sorting_summary-narrow.png"))
        fit = frame.locator(".units-table-container").evaluate(
            """c => {
              const last = c.querySelector('th:last-child').getBoundingClientRect()
              const box = c.getBoundingClientRect()
              // (headless Chromium hides scroll bars; the table's right-edge shadow shows the overflow)
              return {fits: last.right <= box.right + 1, scrolls: c.scrollWidth > c.clientWidth
                      && getComputedStyle(c).overflowX === 'auto'
                      && getComputedStyle(c).backgroundImage.includes('gradient')}
            }"""
        )
        assert fit["fits"] or fit["scrolls"], fit
    finally:
        context.close()


def test_saved_curation_uri_is_shown_in_full_in_view_with_a_copy_button(browser, urls):
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(urls["plot_sorting_summary"])
        frame = page.frame_locator(FIGURE_FRAME)
        frame.locator('tr[data-unit-id="2"]').click()
        frame.locator('[data-testid="label-accept"]').click()
        frame.locator('[data-testid="save-curation"]').click()
        saved = frame.locator('[data-testid="curation-saved-uri"]')
        saved.wait_for()
        uri = saved.get_attribute("data-uri")
        assert uri.startswith("sha1://") and len(uri) == len("sha1://") + 40
        assert uri in saved.inner_text()  # in full, not cut
        panel = frame.locator('[data-view-type="SortingCuration2"]').bounding_box()
        shown = saved.bounding_box()
        assert shown["y"] + shown["height"] <= panel["y"] + panel["height"] + 1, "the saved URI is below the fold"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "plot_sorting_summary-saved.png"))
        frame.locator('[data-testid="copy-saved-uri"]').click()
        frame.locator('[data-testid="copy-saved-uri"]', has_text="Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == uri
    finally:
        context.close()
