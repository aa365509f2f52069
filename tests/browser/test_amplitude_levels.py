"""SpikeAmplitudes with levels of detail in Chromium: the overview first, every spike once zoomed in; old figures.

The figure has 1.2 million spikes (4 units) in chunks of 100,000: more than the page draws point by point
(``MAX_WINDOW_SPIKES`` of ``amplitudeChunks.ts``, 500,000), so the whole recording and half of it show the
overview, and zooming in to a quarter of it loads the chunks of that window (and one each side), not the rest. The plot's
root carries ``data-amplitude-level``: ``overview``, ``chunks`` or ``inline`` (a figure without chunks).
"""

from __future__ import annotations

import numpy as np
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views.amplitude_chunk_file import read_chunk_file
from spikeinterface_sortingview.views.amplitude_levels import SpikeAmplitudesChunk
from spikeinterface_sortingview.views.encoding import content_uri
from tests.browser.test_viewer_pages import drawn_fraction, open_figure, wait_for_drawn_canvases
from tests.browser_support import ARTIFACTS, runner_environment

pytestmark = pytest.mark.browser

DURATION_S = 100.0
NUM_SPIKES = 1_200_000
ROOT = '[data-view-type="SpikeAmplitudes"] .time-plot'
SHOTS = ARTIFACTS / "browser"


FS = 30_000.0


def spikes(num_units: int = 4, seed: int = 3):
    rng = np.random.default_rng(seed)
    frames = np.sort(rng.integers(0, int(DURATION_S * FS), NUM_SPIKES))
    units = rng.integers(0, num_units, NUM_SPIKES)
    amplitudes = (-60.0 * (units + 1) + rng.normal(0, 6, NUM_SPIKES)).astype("float32")
    return frames, amplitudes, units


@pytest.fixture(scope="module")
def figures(runner_config: dict[str, str], runner: str) -> dict:
    import spikeinterface_sortingview as sv

    frames, amplitudes, units = spikes()
    times = (frames / FS).astype("float32")
    levels = views.spike_amplitudes_with_levels(
        0.0, DURATION_S, [1, 2, 3, 4], frames, FS, amplitudes, units, chunk_spikes=100_000, overview_spikes=20_000
    )
    few = np.arange(0, NUM_SPIKES, 200)
    inline = views.SpikeAmplitudes(
        0.0,
        DURATION_S,
        [
            views.SpikeAmplitudesItem(u + 1, times[few][units[few] == u], amplitudes[few][units[few] == u])
            for u in range(4)
        ],
    )
    with runner_environment(runner_config):
        return {
            "levels": sv.Figure(levels).url(label="amplitude levels"),
            "json-chunks": sv.Figure(with_json_chunks(levels)).url(label="amplitude levels, JSON chunks"),
            "inline": sv.Figure(inline).url(label="amplitudes inline"),
            "chunks": [content_uri(data).removeprefix("sha1://") for data in levels.files()],
        }


def with_json_chunks(view: views.SpikeAmplitudes) -> views.SpikeAmplitudes:
    """The same view with its chunks written as JSON files, as figures were written before binary chunks: the same
    spikes, grouped by unit, float32 times and amplitudes and a uint16 unit index a spike."""
    chunks = []
    for chunk in view.chunks:
        read = read_chunk_file(chunk.file_bytes())
        old = {
            "type": "SpikeAmplitudesChunk",
            "startTimeSec": chunk.start_time_sec,
            "endTimeSec": chunk.end_time_sec,
            "spikeTimesSec": read["spikeTimesSec"],
            "spikeAmplitudes": read["spikeAmplitudes"],
            "unitIndices": read["unitIndices"].astype("uint16"),
        }
        chunks.append(
            SpikeAmplitudesChunk(chunk.start_time_sec, chunk.end_time_sec, chunk.num_spikes, views.canonical_json(old))
        )
    return views.SpikeAmplitudes(view.start_time_sec, view.end_time_sec, view.units, chunks=chunks)


def zoom_to_chunks(page, frame) -> None:
    """Zoom in twice: to a quarter of the recording, drawn from its chunks."""
    zoom_in = frame.locator('[data-view-type="SpikeAmplitudes"] button[title="Zoom in"]')
    zoom_in.click()
    page.wait_for_timeout(300)
    zoom_in.click()
    frame.locator(f'{ROOT}[data-amplitude-level="chunks"]').wait_for(timeout=15_000)


def level(frame) -> str | None:
    return frame.locator(ROOT).get_attribute("data-amplitude-level")


def plot_fraction(frame) -> float:
    return drawn_fraction(frame.locator(f"{ROOT} canvas").evaluate("c => c.toDataURL()"))


def test_amplitudes_draw_the_overview_then_every_spike_of_a_zoomed_window(page, figures):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    frame = open_figure(page, figures["levels"])
    assert wait_for_drawn_canvases(page, frame, "SpikeAmplitudes")
    page.wait_for_timeout(300)
    assert level(frame) == "overview"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "amplitudes-overview.png"))  # the overview and its note, to look at
    assert not [c for c in figures["chunks"] if any(c in url for url in fetched)]  # nothing loaded for the overview
    overview = plot_fraction(frame)
    # half of the recording (600,000 spikes) is still too many; a quarter (300,000) is drawn from its chunks
    zoom_in = frame.locator('[data-view-type="SpikeAmplitudes"] button[title="Zoom in"]')
    zoom_in.click()
    page.wait_for_timeout(300)
    assert level(frame) == "overview"
    zoom_in.click()
    frame.locator(f'{ROOT}[data-amplitude-level="chunks"]').wait_for(timeout=15_000)
    loaded = [c for c in figures["chunks"] if any(c in url for url in fetched)]
    assert 4 <= len(loaded) <= 6, loaded  # the window's 3 or 4 chunks and one each side, not all 12
    # every spike of the window: the units' bands fill in, far more pixels than the overview's sample
    assert plot_fraction(frame) > 1.5 * overview
    assert not page.errors.console and not page.errors.uncaught, (page.errors.console, page.errors.uncaught)


def test_binary_chunks_draw_exactly_what_json_chunks_of_the_same_spikes_draw(page, figures):
    """Figures written before binary chunks still load their chunks, and both forms give the same pixels."""
    drawn = {}
    for name in ("json-chunks", "levels"):
        frame = open_figure(page, figures[name])
        assert wait_for_drawn_canvases(page, frame, "SpikeAmplitudes")
        zoom_to_chunks(page, frame)
        page.wait_for_timeout(300)
        drawn[name] = frame.locator(f"{ROOT} canvas").evaluate("c => c.toDataURL()")
        assert drawn_fraction(drawn[name]) > 0.01
    assert drawn["json-chunks"] == drawn["levels"]
    assert not page.errors.console and not page.errors.uncaught, (page.errors.console, page.errors.uncaught)


def test_amplitudes_without_chunks_draw_every_spike_inline(page, figures):
    frame = open_figure(page, figures["inline"])
    assert wait_for_drawn_canvases(page, frame, "SpikeAmplitudes")
    assert level(frame) == "inline"
    assert not page.errors.console and not page.errors.uncaught
