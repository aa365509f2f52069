"""Decoded-position views and plotly figures, written with the view classes and opened in Chromium from ``sv-runner``.

Sizes are realistic: an hour of linear decoding at 30 frames per second over 100 position bins, ten minutes of a
2-D track animation. The views' hooks: the heat map's canvas carries ``data-axis-x``/``data-axis-y`` and
``data-color-scale``; the animation's root (``data-testid="track-animation"``) carries ``data-frame``,
``data-time`` and ``data-playing``, its canvas ``data-animal-px`` (where the animal is drawn); ``frame-slider``,
``play-button``, ``speed-select`` and ``current-time`` are its controls. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image

from spikeinterface_sortingview import views
from tests.browser.test_viewer_pages import open_figure, wait_for_drawn_canvases
from tests.browser_support import ARTIFACTS, runner_environment

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "browser"
FPS = 30.0
TRACK_CM = 200.0
NUM_BINS = 100


@dataclass
class PositionFigures:
    linear: str
    track: str
    plotly: str
    observed: np.ndarray
    track_positions: np.ndarray


def linear_decoding(duration_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An animal running laps of a 200 cm linear track, and a posterior centred on it (8 cm wide)."""
    t = np.arange(int(duration_s * FPS)) / FPS
    lap_s = 20.0
    phase = (t % lap_s) / lap_s
    observed = TRACK_CM * np.where(phase < 0.5, 2 * phase, 2 - 2 * phase)
    centres = (np.arange(NUM_BINS) + 0.5) * TRACK_CM / NUM_BINS
    posterior = np.exp(-0.5 * ((centres[None, :] - observed[:, None]) / 8.0) ** 2).astype("float32")
    posterior /= posterior.sum(axis=1, keepdims=True)
    return posterior, centres.astype("float32"), observed.astype("float32")


def u_track(duration_s: float):
    """A U-shaped track of 4 cm bins, an animal running along it, its head direction and a 2-D posterior."""
    bin_cm = 4.0
    nx, ny = 25, 20
    inside = np.zeros((ny, nx), dtype=bool)
    inside[:, :3] = True  # left arm
    inside[:, -3:] = True  # right arm
    inside[:3, :] = True  # bottom
    ys, xs = np.nonzero(inside)
    corners = np.array([xs * bin_cm, (ys + 1) * bin_cm], dtype="float32")  # upper-left corners, y up
    # The path: down the left arm, along the bottom, up the right arm, and back.
    path = np.array([[6, 78], [6, 6], [94, 6], [94, 78]], dtype=float)
    legs = np.linalg.norm(np.diff(path, axis=0), axis=1)
    t = np.arange(int(duration_s * FPS)) / FPS
    s = (t * 25.0) % (2 * legs.sum())  # 25 cm/s, there and back
    s = np.where(s > legs.sum(), 2 * legs.sum() - s, s)
    x = np.interp(s, np.concatenate([[0], np.cumsum(legs)]), path[:, 0])
    y = np.interp(s, np.concatenate([[0], np.cumsum(legs)]), path[:, 1])
    heading = np.arctan2(np.gradient(y), np.gradient(x)).astype("float32")
    cx = (np.arange(nx) + 0.5) * bin_cm
    cy = (np.arange(ny) + 0.5) * bin_cm
    d2 = (cx[None, None, :] - x[:, None, None]) ** 2 + (cy[None, :, None] - y[:, None, None]) ** 2
    posterior = np.where(inside[None], np.exp(-0.5 * d2 / 6.0**2), 0.0).astype("float32")
    posterior /= posterior.sum(axis=(1, 2), keepdims=True)
    return corners, bin_cm, t, np.array([x, y], dtype="float32"), heading, posterior


@pytest.fixture(scope="module")
def figures(runner_config: dict[str, str], runner: str) -> PositionFigures:
    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview import views

    posterior, centres, observed = linear_decoding(3600.0)
    linear = views.DecodedLinearPositionData.from_probabilities(
        posterior, centres, sampling_frequency=FPS, observed_positions=observed
    )
    speed = np.abs(np.gradient(observed)) * FPS
    speed_graph = views.TimeseriesGraph().add_line_series(
        "speed (cm/s)", np.arange(len(speed)) / FPS, speed.astype("float32"), color="#444"
    )
    corners, bin_cm, t, positions, heading, grid = u_track(600.0)
    decoded = views.DecodedPositionData.from_probabilities(
        grid, x_min=bin_cm / 2, bin_width=bin_cm, y_min=bin_cm / 2, bin_height=bin_cm
    )
    animation = views.TrackAnimation(
        bin_cm,
        bin_cm,
        corners,
        1000.0 + t,  # float64 absolute times, written relative to the first
        positions,
        head_direction=heading,
        decoded_data=decoded,
        sampling_frequency_hz=FPS,
    )
    z = np.outer(np.sin(np.linspace(0, 3, 40)), np.cos(np.linspace(0, 3, 30))).astype("float32")
    # A plain dict, as plotly's fig.to_dict() gives: lists and numpy arrays.
    plotly_fig = {
        "data": [
            {"type": "scatter", "mode": "lines", "name": "sine", "x": list(range(50)), "y": np.sin(np.arange(50) / 5)},
            {"type": "heatmap", "z": z, "xaxis": "x2", "yaxis": "y2"},
        ],
        "layout": {
            "title": {"text": "A plotly figure"},
            "xaxis": {"domain": [0, 0.45]},
            "xaxis2": {"domain": [0.55, 1]},
            "yaxis2": {"anchor": "x2"},
        },
    }
    with runner_environment(runner_config):
        linear_url = sv.Figure(
            views.Box("vertical", [views.LayoutItem(linear, stretch=3), views.LayoutItem(speed_graph, stretch=1)])
        ).url(label="linear decoding")
        track_url = sv.Figure(animation).url(label="track animation")
        plotly_url = sv.Figure(views.PlotlyFigure(plotly_fig)).url(label="plotly")
    return PositionFigures(linear_url, track_url, plotly_url, observed, positions)


def canvas_rgb(frame, selector: str) -> np.ndarray:
    """The pixels of a canvas (device resolution) as an (h, w, 3) int array."""
    url = frame.locator(selector).first.evaluate("c => c.toDataURL()")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")
    return np.asarray(image).astype(np.int16)


def red_mask(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r > 200) & (g < 110) & (b < 110)


def no_errors(page) -> None:
    assert not page.errors.console and not page.errors.uncaught, (page.errors.console, page.errors.uncaught)


def test_linear_decoding_heat_map_follows_the_observed_position_and_the_shared_time_window(page, figures):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.context.add_init_script("window.__svPerf = {draws: []}")
    page.set_viewport_size({"width": 1600, "height": 1000})
    frame = open_figure(page, figures.linear)
    view = '[data-view-type="DecodedLinearPositionData"]'
    assert wait_for_drawn_canvases(page, frame, "DecodedLinearPositionData")
    draws = page.frames[1].evaluate("window.__svPerf.draws.filter(d => d.view === 'DecodedLinearPositionData')")
    # The whole hour (108,000 frames, 2.3 million values) in one draw; about 60 ms on a quiet machine.
    assert draws and max(d["ms"] for d in draws) < 1000, draws
    frame.locator('[data-testid="observed-position-toggle"]').uncheck()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "position_linear_hour_heat_map.png"))
    frame.locator('[data-testid="observed-position-toggle"]').check()
    canvas = frame.locator(f"{view} canvas")
    assert canvas.get_attribute("data-axis-x") == "time (s)"
    assert canvas.get_attribute("data-axis-y") == "position"
    # The colour scale tops at the largest probability (a spread-out posterior still shows).
    scale = re.fullmatch(r"0\.\.([0-9.]+) probability", canvas.get_attribute("data-color-scale"))
    assert scale and 0.05 < float(scale.group(1)) < 0.5, canvas.get_attribute("data-color-scale")
    page.screenshot(path=str(SHOTS / "position_linear_hour.png"))
    print("heat map draws (ms):", [round(d["ms"], 1) for d in draws])
    # Figures without a plotly view never download plotly.js.
    assert not [u for u in requests if "plotly" in u]

    # Zoom to about 40 s with the toolbar: the band of high probability and the red line of the observed
    # position must run together (same time and position mapping).
    for _ in range(7):
        frame.locator(f"{view} .time-toolbar button[title='Zoom in']").click()
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / "position_linear_zoomed.png"))
    with_line = canvas_rgb(frame, f"{view} canvas")
    frame.locator('[data-testid="observed-position-toggle"]').uncheck()
    page.wait_for_timeout(300)
    heat = canvas_rgb(frame, f"{view} canvas")
    line = red_mask(with_line)
    assert line.sum() > 200, "the observed position is drawn"
    assert not red_mask(heat).any(), "unchecking the overlay hides it"
    # Viridis grows lighter with the value; only the plot area counts (margins of 26 px above and 40 px
    # below, at 1 device pixel per CSS pixel here).
    lightness = heat @ np.array([0.3, 0.59, 0.11])
    lightness[:27] = lightness[-41:] = -1
    checked = 0
    inside = [c for c in np.flatnonzero(line.any(axis=0)) if 70 < c < heat.shape[1] - 20]
    for col in inside[::25]:
        line_row = np.flatnonzero(line[:, col]).mean()
        peak_row = np.argmax(lightness[:, col])
        assert abs(line_row - peak_row) < 0.05 * heat.shape[0], (col, line_row, peak_row)
        checked += 1
    assert checked >= 10

    # The speed graph below shares the time window: after the zoom it shows about 40 s, not the hour.
    ticks = frame.locator('[data-view-type="TimeseriesGraph"] canvas').get_attribute("data-axis-x")
    assert ticks == "time (s)"
    fit = frame.locator(f"{view} .time-toolbar button[title='Show the whole recording']")
    speed_zoomed = canvas_rgb(frame, '[data-view-type="TimeseriesGraph"] canvas')
    fit.click()
    page.wait_for_timeout(400)
    speed_whole = canvas_rgb(frame, '[data-view-type="TimeseriesGraph"] canvas')
    assert np.abs(speed_whole - speed_zoomed).sum() > 0, "the speed graph follows the decoded view's zoom"
    no_errors(page)


def animal_centre(frame) -> np.ndarray:
    """Centre of the animal's red dot, in CSS pixels of the animation canvas."""
    rgb = canvas_rgb(frame, '[data-testid="track-animation"] canvas')
    ratio = rgb.shape[1] / frame.locator('[data-testid="track-animation"] canvas').bounding_box()["width"]
    ys, xs = np.nonzero(red_mask(rgb))
    assert len(xs) > 20, "the animal is drawn"
    # The dot is the densest red blob; the trail is thinner and fainter.
    return np.array([np.median(xs), np.median(ys)]) / ratio


def test_track_animation_slider_playback_and_speed(page, figures):
    page.set_viewport_size({"width": 1400, "height": 900})
    frame = open_figure(page, figures.track)
    root = frame.locator('[data-testid="track-animation"]')
    assert wait_for_drawn_canvases(page, frame, "TrackAnimation")
    assert root.get_attribute("data-frame") == "0"
    assert frame.locator('[data-testid="current-time"]').inner_text().startswith("t = 1000.000 s")
    start = np.array([float(v) for v in frame.locator("canvas").get_attribute("data-animal-px").split(",")])
    assert np.linalg.norm(animal_centre(frame) - start) < 3

    # The slider moves the animal to where the data puts it.
    target = 4000
    frame.locator('[data-testid="frame-slider"]').fill(str(target))
    page.wait_for_timeout(300)
    assert root.get_attribute("data-frame") == str(target)
    moved = np.array([float(v) for v in frame.locator("canvas").get_attribute("data-animal-px").split(",")])
    assert np.linalg.norm(moved - start) > 50
    assert np.linalg.norm(animal_centre(frame) - moved) < 3
    # Positions map linearly onto the canvas: the same scale for x and y, y up.
    x0, y0 = figures.track_positions[:, 0]
    x1, y1 = figures.track_positions[:, target]
    scale_x = (moved[0] - start[0]) / (x1 - x0) if abs(x1 - x0) > 5 else None
    scale_y = -(moved[1] - start[1]) / (y1 - y0) if abs(y1 - y0) > 5 else None
    if scale_x and scale_y:
        assert abs(scale_x - scale_y) / scale_x < 0.02
    assert float(root.get_attribute("data-time")) == pytest.approx(1000.0 + target / FPS, abs=1e-3)
    page.screenshot(path=str(SHOTS / "position_track_animation.png"))

    # Arrow keys step a frame (a second with shift).
    root.press("ArrowRight")
    root.press("Shift+ArrowRight")
    assert root.get_attribute("data-frame") == str(target + 1 + int(FPS))
    target += 1 + int(FPS)

    # Play at 8x for about a second: some 240 frames go by, then pause holds the frame.
    frame.locator('[data-testid="speed-select"]').select_option("8")
    frame.locator('[data-testid="play-button"]').click()
    page.wait_for_timeout(1000)
    frame.locator('[data-testid="play-button"]').click()
    assert root.get_attribute("data-playing") == "false"
    played = int(root.get_attribute("data-frame")) - target
    assert 100 < played < 400, played
    held = root.get_attribute("data-frame")
    page.wait_for_timeout(300)
    assert root.get_attribute("data-frame") == held
    no_errors(page)


def test_plotly_figure_is_drawn_by_plotly_and_fills_its_view(page, figures):
    page.set_viewport_size({"width": 1200, "height": 800})
    frame = open_figure(page, figures.plotly)
    view = frame.locator('[data-view-type="PlotlyFigure"]')
    view.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert view.locator(".scatterlayer .trace").count() == 1
    assert view.locator(".heatmaplayer image, .heatmaplayer .hm").count() >= 1
    assert "A plotly figure" in view.locator(".gtitle").text_content()
    box = view.bounding_box()
    svg = view.locator(".main-svg").first.bounding_box()
    assert abs(svg["width"] - box["width"]) < 2 and abs(svg["height"] - box["height"]) < 2
    page.screenshot(path=str(SHOTS / "position_plotly.png"))

    # It follows the view's size.
    page.set_viewport_size({"width": 900, "height": 600})
    page.wait_for_timeout(500)
    box = view.bounding_box()
    svg = view.locator(".main-svg").first.bounding_box()
    assert abs(svg["width"] - box["width"]) < 2 and svg["width"] <= 900
    no_errors(page)


class SortingviewWritten(views.View):
    """A leaf view holding a dict exactly as sortingview's Python classes write it (not made by our classes)."""

    def __init__(self, fields: dict):
        self.type = fields["type"]
        self.fields = {k: v for k, v in fields.items() if k != "type"}

    def data(self) -> dict:
        return self.fields


def test_views_as_sortingview_writes_them_are_drawn(page, runner_config: dict[str, str], runner: str):
    """Fields as sortingview's classes and the pipelines using them write: a null sampling frequency (the reader
    assumes 1000 Hz), uint16 positions, uint8 frame bounds, int16 decoded values, a timestamp start."""
    import spikeinterface_sortingview as sv

    posterior, centres, observed = linear_decoding(30.0)
    scaled = (posterior * 255).astype("uint8")
    kept = scaled > 0
    linear = SortingviewWritten(
        {
            "type": "DecodedLinearPositionData",
            "values": scaled[kept],
            "positions": np.nonzero(kept)[1].astype("uint16"),
            "frameBounds": kept.sum(axis=1).astype("uint8"),
            "positionsKey": centres,
            "startTimeSec": 0,
            "samplingFrequencyHz": None,
            "observedPositions": observed,
        }
    )
    corners, bin_cm, t, positions, heading, grid = u_track(20.0)
    g = (grid * 255).astype("uint8").reshape(len(grid), -1)
    kept = g > 0
    track = SortingviewWritten(
        {
            "type": "TrackAnimation",
            "trackBinWidth": bin_cm,
            "trackBinHeight": bin_cm,
            "trackBinULCorners": corners,
            "totalRecordingFrameLength": len(t),
            "timestamps": t.astype("float32"),
            "timestampStart": 5123.25,
            "positions": positions,
            "xmin": 0.0,
            "xmax": 100.0,
            "ymin": 0.0,
            "ymax": 80.0,
            "headDirection": heading,
            "samplingFrequencyHz": FPS,
            "decodedData": {
                "type": "DecodedPositionData",
                "xmin": bin_cm / 2,
                "binWidth": bin_cm,
                "xcount": grid.shape[2],
                "ymin": bin_cm / 2,
                "binHeight": bin_cm,
                "ycount": grid.shape[1],
                "values": g[kept].astype("int16"),
                "locations": np.nonzero(kept)[1].astype("uint16"),
                "frameBounds": kept.sum(axis=1).astype("int16"),
            },
        }
    )
    with runner_environment(runner_config):
        url = sv.Figure(views.Box("horizontal", [linear, track])).url(label="as sortingview writes it")
    page.set_viewport_size({"width": 1600, "height": 800})
    frame = open_figure(page, url)
    assert wait_for_drawn_canvases(page, frame, "DecodedLinearPositionData")
    assert wait_for_drawn_canvases(page, frame, "TrackAnimation")
    canvas = frame.locator('[data-view-type="DecodedLinearPositionData"] canvas')
    assert canvas.get_attribute("data-axis-x") == "time (s)"
    assert frame.locator('[data-testid="current-time"]').inner_text().startswith("t = 5123.250 s")
    assert frame.locator("[data-animal-px]").get_attribute("data-animal-px")
    page.screenshot(path=str(SHOTS / "position_as_sortingview_writes.png"))
    no_errors(page)
