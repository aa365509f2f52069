"""Benchmark the web viewer in Chromium: first render of a big sorting summary, pan/zoom of a big raster.

Everything measured is the real thing: figures published by the package itself from
SpikeInterface objects, served by a real ``sv-runner`` (a subprocess on a free port,
with a private home and store), opened in Debian's Chromium through Playwright at
1600x1000.

Measures, all in one run:

1. first render of ``plot_sorting_summary`` of a 300-unit, 384-channel analyzer (the
   ``neuropixels`` preset of ``presets.py``, cached on disk; built first when missing,
   which takes ~10 min): from the top page's navigation start to every leaf view of
   the figure being in the DOM with every visible canvas drawn (not one uniform
   colour), polled every 50 ms. Each repeat opens a fresh browser context (cold HTTP cache).
2. frame times on ``plot_rasters`` of a generated sorting of >= 2 M spikes, ~3 s each:
   while zooming with Playwright's ``mouse.wheel`` (in and out of the whole recording),
   while drag-panning a quarter of it with ``mouse.down/move``, and while zooming with
   one wheel event dispatched in the page per frame. Playwright's input round trip
   takes about two frames, so the first two give the raster a new window every other
   frame at most; the third makes it draw on every frame. Frames are logged by a
   requestAnimationFrame loop inside the figure's iframe (see ``frame_stats`` for why
   the intervals are taken from the callbacks' run times), draws by the viewer itself
   (``window.__svPerf``). fps = 1000 / median frame interval.
3. the baseline: requestAnimationFrame intervals of a blank page in the same browser,
   i.e. what "idle" fps is on this machine (headless, no GPU).
4. first render beside a peer: figpack's saved folder of the same analyzer (SpikeInterface's figpack
   backend, ``figpack_page.py``), served by ``python -m http.server`` on 127.0.0.1 and opened in the same
   browser, timed from navigation start to its "every view drawn" point: no "Loading" text left and as many
   drawn canvases in the viewport (not one uniform colour, the test of 1.) as its settled page has (counted
   in an untimed warm-up open). Ours must be faster.
5. the 1,000-unit figure (``viewer_scale.py``): ``plot_sorting_summary(curation=True)`` of the ``hour``
   preset (384 ch, 60 min, 1,000 units, ~23 M spikes) when its analyzer is cached, else a synthetic figure of
   the same size (units table, curation panel, 20.5 M-spike amplitudes with levels of detail): first render
   (target < 2 s), selecting a unit (< 50 ms to the next painted frame), sorting the units table and a merge
   (a frame or two), and the amplitudes' wheel zoom and drag pan (a window of ~0.3 M spikes drawn from its
   chunks) as fps at the p95 frame interval (target >= 30). With the hour preset, figpack's page of the same
   analyzer beside it, as in 4.

Usage::

    python tests/benchmarks/bench_viewer.py            # 3 first-render repeats, 3 s per interaction
    python tests/benchmarks/bench_viewer.py --quick    # 1 repeat, 1.5 s per interaction
    python tests/benchmarks/bench_viewer.py --screenshots /tmp/viewer-bench-shots
    python tests/benchmarks/bench_viewer.py --only-scale     # only the 1,000-unit figure (and its peer)

The viewer bundle is ``spikeinterface_sortingview/viewer/dist`` when it is newer than
every viewer source (copied, so a concurrent rebuild cannot change it mid-run), else
it is built with ``npm run build`` into the run's temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

sys.path.insert(0, str(REPO))

from figpack_page import measure_figpack_first_render, save_figpack_folder  # noqa: E402
from presets import PRESETS, analyzer_folder, get_analyzer_folder, load_analyzer  # noqa: E402
from viewer_scale import (  # noqa: E402
    hour_preset_folder,
    interaction_rows,
    measure_interactions,
    publish_hour_summary,
    publish_synthetic,
)

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, built_viewer  # noqa: E402
from tests.servers import find_free_port, sv_runner_process  # noqa: E402

VIEWPORT = {"width": 1600, "height": 1000}
SUMMARY_PRESET = "neuropixels"

# The raster: 300 units firing at ~11.5 Hz for 10 min, about 2.07 M spikes.
RASTER_UNITS = 300
RASTER_RATE_HZ = 11.5
RASTER_DURATION_S = 600.0
RASTER_SEED = 2205
RASTER_MIN_SPIKES = 2_000_000

FIRST_RENDER_TARGET_S = 2.0
FPS_TARGET = 30.0
RENDER_TIMEOUT_MS = 180_000
POLL_MS = 50  # how often a page is asked whether it has finished drawing (figpack's: the resolution of its times)

# Runs in the figure's iframe, on every animation frame: records when the view page started, and when the figure root, the first view, all
# leaf views and all their visible canvases are there (epoch ms, comparable with the top page's timeOrigin).
# Returns false until everything is drawn, then the marks; {error} if the figure failed to load.
RENDER_STATE_JS = """(expected) => {
  const marks = window.__benchMarks || (window.__benchMarks = { view_start: performance.timeOrigin })
  const now = performance.timeOrigin + performance.now()
  const failed = document.querySelector('[data-testid=figure-error]')
  if (failed) return { error: failed.textContent }
  if (!document.querySelector('[data-testid=figure-root]')) return false
  marks.root = marks.root || now
  const leaves = [...document.querySelectorAll('[data-view-type]')]
  // Views are shown as their data arrives (a placeholder, data-view-loading, until then): the first one shown.
  if (leaves.some((leaf) => leaf.childElementCount > 0)) marks.first_view = marks.first_view || now
  const types = leaves.map((leaf) => leaf.dataset.viewType).sort()
  // A leaf is rendered once its content is mounted (LeafView waits for its own size first).
  if (types.join() !== expected.join() || leaves.some((leaf) => leaf.childElementCount === 0)) return false
  marks.present = marks.present || now
  const isBlank = (canvas) => {
    if (canvas.width === 0 || canvas.height === 0) return true
    const ctx = canvas.getContext('2d')
    if (!ctx) return false  // not a 2d canvas: cannot be read back here, count it as drawn
    const pixels = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer)
    const first = pixels[0]
    for (let i = 1; i < pixels.length; i++) if (pixels[i] !== first) return false
    return true
  }
  for (const leaf of leaves) {
    const box = leaf.getBoundingClientRect()
    for (const canvas of leaf.querySelectorAll('canvas')) {
      const r = canvas.getBoundingClientRect()
      const visible = r.width > 0 && r.height > 0 && r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom
      if (visible && isBlank(canvas)) return false
    }
  }
  marks.drawn = now
  return marks
}"""

# Runs in the figure's iframe after a timeout: what is there, to say why the render never finished.
RENDER_DIAGNOSIS_JS = """() => [...document.querySelectorAll('[data-view-type]')].map((leaf) => {
  const canvases = [...leaf.querySelectorAll('canvas')]
  return `${leaf.dataset.viewType}: ${canvases.length} canvases, text "${leaf.textContent.slice(0, 80)}"`
})"""

# Logs every animation frame: its requestAnimationFrame timestamp (the frame's begin time) and the time its
# callbacks actually ran (performance.now()), and empties the viewer's draw log.
START_FRAME_LOG_JS = """() => {
  const log = (window.__benchFrames = { stamps: [], ran: [], running: true })
  const step = (t) => {
    log.stamps.push(t)
    log.ran.push(performance.now())
    if (log.running) requestAnimationFrame(step)
  }
  requestAnimationFrame(step)
  if (window.__svPerf) window.__svPerf.draws = []
}"""

STOP_FRAME_LOG_JS = """() => {
  const log = window.__benchFrames
  log.running = false
  return { stamps: log.stamps, ran: log.ran, draws: window.__svPerf ? window.__svPerf.draws : [] }
}"""

# Zooms from inside the iframe: one wheel event per animation frame (12 in, 12 out, ...) for `ms`, so that
# the raster has to draw on every frame; measures what the viewer can do when input is never the limit.
IN_PAGE_WHEEL_JS = """([selector, ms]) => new Promise((resolve) => {
  const canvas = document.querySelector(selector)
  const r = canvas.getBoundingClientRect()
  const x = r.left + r.width / 2
  const y = r.top + r.height / 2
  const end = performance.now() + ms
  let i = 0
  const step = () => {
    const deltaY = Math.floor(i++ / 12) % 2 === 0 ? -100 : 100
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY, clientX: x, clientY: y, bubbles: true, cancelable: true }))
    if (performance.now() < end) requestAnimationFrame(step)
    else resolve(i)
  }
  requestAnimationFrame(step)
})"""

# The top page's fetches (the host page reads the figure's files): how many, how many bytes, when the first
# started and the last ended (ms from navigation start).
FETCHES_JS = """() => {
  const fetches = performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'fetch')
  return {
    count: fetches.length,
    bytes: fetches.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0),
    first_start_ms: Math.min(...fetches.map((e) => e.startTime)),
    last_end_ms: Math.max(0, ...fetches.map((e) => e.responseEnd)),
  }
}"""


# ---------------------------------------------------------------- statistics and formatting


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def intervals(times: list[float]) -> list[float]:
    """Differences of consecutive times."""
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def frame_stats(log: dict) -> dict:
    """Frame intervals (ms) of a frame log of START_FRAME_LOG_JS: median, p95, max and fps.

    The intervals are those between the times the frames' callbacks ran. The requestAnimationFrame
    timestamps themselves are the frames' scheduled begin times: headless Chromium keeps them on its
    16.7 ms grid when a long frame delays the next one, so they hide part of the jank; their median and
    p95 are reported alongside (``stamp_*``).
    """
    ran, stamped = intervals(log["ran"]), intervals(log["stamps"])
    if not ran:
        nan = float("nan")
        return {"frames": len(log["ran"]), "median_ms": nan, "p95_ms": nan, "max_ms": nan, "fps": 0.0}
    median = statistics.median(ran)
    return {
        "frames": len(log["ran"]),
        "median_ms": median,
        "p95_ms": percentile(ran, 95),
        "max_ms": max(ran),
        "fps": 1000 / median if median > 0 else float("inf"),
        "stamp_median_ms": statistics.median(stamped),
        "stamp_p95_ms": percentile(stamped, 95),
    }


def draw_stats(draws: list[dict], view: str, seconds: float) -> dict:
    """Draws of one view in the viewer's __svPerf log: how many per second and how long each took."""
    ms = [d["ms"] for d in draws if d["view"] == view]
    if not ms:
        return {"draws": 0, "per_s": 0.0, "median_ms": float("nan"), "p95_ms": float("nan")}
    return {
        "draws": len(ms),
        "per_s": len(ms) / seconds,
        "median_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 95),
    }


def load_average() -> str:
    """The 1, 5 and 15 min load averages, and the number of CPUs."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


# ---------------------------------------------------------------- viewer bundle and runner


def prepare_viewer(work: Path) -> tuple[Path, str]:
    """The viewer built from the current sources (the tests' cached build); returns it and how it was obtained."""
    start = time.perf_counter()
    dist = built_viewer()
    return dist, f"{dist.relative_to(REPO)} ({time.perf_counter() - start:.0f} s to build or find)"


def configure_environment(work: Path, port: int) -> dict[str, str]:
    """Point this process's figures (and the runner) at a private home, store and address.

    The package reads its configuration from the environment on every call, so figures
    published after this land in the run's store with URLs of the run's runner.
    """
    for name in ("SORTINGVIEW_VIEW_URL", "SORTINGVIEW_REMOTE"):
        os.environ.pop(name, None)
    settings = {
        "SORTINGVIEW_HOME": str(work / "home"),
        "SORTINGVIEW_STORE_DIR": str(work / "store"),
        "SORTINGVIEW_ADDRESS": f"http://127.0.0.1:{port}",
        "SORTINGVIEW_CONFIG": str(work / "no-config.yaml"),  # absent: no user config file applies
    }
    os.environ.update(settings)
    return settings


@contextmanager
def running_runner(work: Path, port: int, viewer_dist: Path):
    """A real ``sv-runner start --no-compute`` serving the run's store and viewer; yields its address."""
    env = {**os.environ, "SORTINGVIEW_VIEWER_DIR": str(viewer_dist)}
    args = ["--port", str(port), "--store-dir", str(work / "store"), "--no-compute", "--log-level", "warning"]
    with sv_runner_process(args, env, f"http://127.0.0.1:{port}", work / "runner.log") as address:
        yield address


# ---------------------------------------------------------------- figures


def leaf_types(view) -> list[str]:
    """Types of the leaf views of a figure that are shown when it opens (first tab of each tab layout)."""
    from spikeinterface_sortingview.views.base import Layout
    from spikeinterface_sortingview.views.layouts import MountainLayout, TabLayout

    if not isinstance(view, Layout):
        return [view.type]
    items = view.items
    if isinstance(view, TabLayout):
        items = items[:1]
    elif isinstance(view, MountainLayout):  # controls, and the first view tab
        shown = [i for i, m in enumerate(view.mountain_items) if m.is_control]
        shown += [i for i, m in enumerate(view.mountain_items) if not m.is_control][:1]
        items = [items[i] for i in sorted(shown)]
    return [t for item in items for t in leaf_types(item.view)]


def publish_summary(rebuild_ok: bool, figpack_dir: Path | None = None) -> dict:
    """Publish ``plot_sorting_summary`` of the cached 300-unit analyzer; returns its URL and facts.

    With ``figpack_dir``, figpack's saved folder of the same analyzer is written there too (``figpack_folder``).
    """
    import spikeinterface.widgets as sw

    import spikeinterface_sortingview  # noqa: F401  (registers backend="sortingview")

    preset = PRESETS[SUMMARY_PRESET]
    folder = analyzer_folder(preset)
    note = f"cached analyzer {folder}"
    if not (folder.parent / "complete.json").is_file():
        if not rebuild_ok:
            raise SystemExit(f"no cached analyzer at {folder}; run without --no-build to build it (~10 min)")
        print(f"No cached analyzer at {folder}: building the {preset.name} preset ({preset.describe()}), ~10 min...")
        sys.stdout.flush()
        start = time.perf_counter()
        folder, _ = get_analyzer_folder(preset)
        note = f"analyzer built in this run ({time.perf_counter() - start:.0f} s), {folder}"
    start = time.perf_counter()
    analyzer = load_analyzer(folder)  # read-only: nothing is written into the cache
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    widget = sw.plot_sorting_summary(analyzer, backend="sortingview", display=False)
    published = time.perf_counter() - start
    facts = {
        "url": widget.url,
        "leaves": sorted(leaf_types(widget.view)),
        "units": len(analyzer.unit_ids),
        "channels": analyzer.get_num_channels(),
        "spikes": int(analyzer.sorting.count_total_num_spikes()),
        "note": f"{note}; loaded in {loaded:.1f} s, published in {published:.1f} s",
    }
    if figpack_dir is not None:
        facts["figpack_folder"], seconds = save_figpack_folder(analyzer, figpack_dir)
        facts["note"] += f"; figpack's folder saved in {seconds:.1f} s"
    del widget, analyzer
    gc.collect()
    return facts


def publish_raster() -> dict:
    """Publish ``plot_rasters`` of a generated sorting of >= 2 M spikes; returns its URL and facts."""
    import spikeinterface.widgets as sw
    from spikeinterface.core import generate_sorting

    import spikeinterface_sortingview  # noqa: F401  (registers backend="sortingview")

    sorting = generate_sorting(
        num_units=RASTER_UNITS,
        sampling_frequency=30000.0,
        durations=[RASTER_DURATION_S],
        firing_rates=RASTER_RATE_HZ,
        refractory_period_ms=4.0,
        seed=RASTER_SEED,
    )
    spikes = int(sorting.count_total_num_spikes())
    if spikes < RASTER_MIN_SPIKES:
        raise SystemExit(f"the generated sorting has {spikes} spikes, fewer than {RASTER_MIN_SPIKES}")
    start = time.perf_counter()
    widget = sw.plot_rasters(sorting, backend="sortingview", display=False)
    facts = {
        "url": widget.url,
        "leaves": sorted(leaf_types(widget.view)),
        "spikes": spikes,
        "note": f"plot_rasters published in {time.perf_counter() - start:.1f} s",
    }
    del widget, sorting
    gc.collect()
    return facts


# ---------------------------------------------------------------- browser measurements


class PageLog:
    """Console errors and uncaught exceptions of a page and its frames."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))


def open_figure(browser, url: str, expected_leaves: list[str]) -> tuple:
    """Open a figure in a fresh context and wait until it is fully drawn.

    Returns the context, the page, the iframe's frame, the page's error log and the
    render marks in seconds from navigation start (``root``, ``present``, ``drawn``).
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script("window.__svPerf = {draws: []}")
    # The check runs on every animation frame of the figure's page (a page busy decoding starves timers, so
    # a check on a timer saw the figure seconds late); Playwright only collects the marks it recorded.
    context.add_init_script(
        f"(() => {{ if (window.parent === window) return; const check = {RENDER_STATE_JS};"
        f" const expected = {json.dumps(expected_leaves)};"
        " const loop = () => { const r = check(expected); if (r) window.__benchDone = r; else requestAnimationFrame(loop) };"
        " requestAnimationFrame(loop) })()"
    )
    page = context.new_page()
    log = PageLog(page)
    page.goto(url, wait_until="commit")
    navigation_start = page.evaluate("performance.timeOrigin")
    frame = page.wait_for_selector("iframe.figure-iframe", timeout=RENDER_TIMEOUT_MS).content_frame()
    try:
        handle = frame.wait_for_function("() => window.__benchDone", polling=POLL_MS, timeout=RENDER_TIMEOUT_MS)
    except Exception as error:  # Playwright's TimeoutError, or the frame went away
        diagnosis = frame.evaluate(RENDER_DIAGNOSIS_JS) if not frame.is_detached() else []
        context.close()
        raise RuntimeError(f"the figure did not finish drawing: {error}; views: {diagnosis}") from error
    state = handle.json_value()
    if "error" in state:
        context.close()
        raise RuntimeError(f"the figure failed to load: {state['error']}")
    marks = {key: (value - navigation_start) / 1000 for key, value in state.items()}
    return context, page, frame, log, marks


def measure_first_render(browser, summary: dict, repeats: int, shots: Path | None) -> dict:
    """First render of the sorting summary, ``repeats`` times in fresh contexts."""
    runs = []
    for run in range(repeats):
        context, page, frame, log, marks = open_figure(browser, summary["url"], summary["leaves"])
        fetches = page.evaluate(FETCHES_JS)
        if shots is not None:
            page.screenshot(path=str(shots / f"summary-{run}.png"))
        context.close()
        runs.append({**marks, "fetches": fetches, "errors": log.errors})
        print(
            f"  summary run {run + 1}: {fetches['count']} files ({fetches['bytes'] / 1e6:.1f} MB) fetched from "
            f"{fetches['first_start_ms'] / 1000:.2f} to {fetches['last_end_ms'] / 1000:.2f} s, view page started {marks['view_start']:.2f} s, figure root {marks['root']:.2f} s, first view {marks.get('first_view', marks['present']):.2f} s, all views {marks['present']:.2f} s, "
            f"all drawn {marks['drawn']:.2f} s; console errors: {len(log.errors)}"
        )
        for error in log.errors[:5]:
            print(f"    console: {error[:300]}")
    drawn = [run["drawn"] for run in runs]
    return {"median": statistics.median(drawn), "max": max(drawn), "runs": runs}


def record_frames(frame, seconds: float, drive, view: str = "RasterPlot") -> dict:
    """Call ``drive(deadline)`` while the iframe logs animation frames; returns frame and draw stats."""
    frame.evaluate(START_FRAME_LOG_JS)
    start = time.monotonic()
    drive(start + seconds)
    elapsed = time.monotonic() - start
    log = frame.evaluate(STOP_FRAME_LOG_JS)
    return {
        "seconds": elapsed,
        "frames": frame_stats(log),
        "draws": draw_stats(log["draws"], view, elapsed),
    }


def measure_pan_zoom(
    browser, raster: dict, seconds: float, shots: Path | None, view: str = "RasterPlot", pan_zoom_clicks: int = 2
) -> dict:
    """Frame times of a time plot during continuous wheel zoom, then during drag-pans of a zoomed-in window.

    The pan starts from the whole recording zoomed in ``pan_zoom_clicks`` times (each halves the window); a
    SpikeAmplitudes view with levels of detail is given its chunks for that window before the pan is timed.
    """
    context, page, frame, log, marks = open_figure(browser, raster["url"], raster["leaves"])
    box = frame.wait_for_selector(f"[data-view-type={view}] canvas").bounding_box()  # in page coordinates
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)

    def zoom(deadline: float) -> None:
        """Wheel steps: 12 in, then 12 out (back to the whole recording, where every spike is drawn)."""
        step = 0
        while time.monotonic() < deadline:
            page.mouse.wheel(0, -100 if (step // 12) % 2 == 0 else 100)
            step += 1

    def pan(deadline: float) -> None:
        """Drag left and right by up to 300 px, 10 px per mouse move, the button held down."""
        page.mouse.down()
        step = 0
        while time.monotonic() < deadline:
            phase = step % 120  # 0..119: right 30 steps, left 60, right 30
            offset = 10 * (phase if phase < 30 else 60 - phase if phase < 90 else phase - 120)
            page.mouse.move(cx + offset, cy)
            step += 1
        page.mouse.up()

    def wheel_every_frame(deadline: float) -> None:
        """Wheel events dispatched in the page, one per frame (not limited by the driver's round trips)."""
        ms = max(0.0, deadline - time.monotonic()) * 1000
        frame.evaluate(IN_PAGE_WHEEL_JS, [f"[data-view-type={view}] canvas", ms])

    def show(title: str, clicks: int = 1) -> None:
        """Click a button of the raster's toolbar, then put the mouse back in the middle of the plot."""
        for _ in range(clicks):
            frame.click(f'[data-view-type={view}] button[title="{title}"]')
        page.mouse.move(cx, cy)
        page.wait_for_timeout(300)

    if shots is not None:
        page.screenshot(path=str(shots / f"{view}-whole.png"))
    zoomed = record_frames(frame, seconds, zoom, view)
    show("Show the whole recording")
    saturated = record_frames(frame, seconds, wheel_every_frame, view)
    # The whole recording, then a part of it (the raster: a quarter, 150 s, ~0.5 M spikes), to have room to pan.
    show("Show the whole recording")
    show("Zoom in", clicks=pan_zoom_clicks)
    if frame.query_selector(f"[data-view-type={view}] [data-amplitude-level]"):
        frame.wait_for_selector(f'[data-view-type={view}] [data-amplitude-level="chunks"]', timeout=60_000)
        if shots is not None:
            page.screenshot(path=str(shots / f"{view}-zoomed.png"))
    panned = record_frames(frame, seconds, pan, view)
    if shots is not None:
        page.screenshot(path=str(shots / f"{view}.png"))
    context.close()
    return {"first_draw": marks["drawn"], "zoom": zoomed, "saturated": saturated, "pan": panned, "errors": log.errors}


def measure_baseline(browser, seconds: float) -> dict:
    """requestAnimationFrame intervals of a blank page: the frame rate of an idle page in this browser."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.evaluate(START_FRAME_LOG_JS)
    page.wait_for_timeout(seconds * 1000)
    log = page.evaluate(STOP_FRAME_LOG_JS)
    context.close()
    return frame_stats(log)


def measure_scale(browser, scale: dict, repeats: int, seconds: float, shots: Path | None) -> dict:
    """The 1,000-unit figure: first render, select/sort/merge, and amplitude zoom and pan."""
    shot_dir = None
    if shots is not None:
        shot_dir = shots / "scale"
        shot_dir.mkdir(exist_ok=True)
    first = measure_first_render(browser, scale, repeats, shot_dir)
    context, page, frame, log, marks = open_figure(browser, scale["url"], scale["leaves"])
    actions = measure_interactions(frame, scale["unit_ids"], max(3, repeats))
    if shot_dir is not None:
        page.screenshot(path=str(shot_dir / "after-merges.png"))
    context.close()
    # six halvings of the hour: 56 s, ~0.3 M spikes, drawn from the chunks
    amplitudes = measure_pan_zoom(browser, scale, seconds, shot_dir, view="SpikeAmplitudes", pan_zoom_clicks=6)
    return {"first": first, "actions": actions, "amplitudes": amplitudes, "errors": log.errors}


def scale_rows(scale: dict, measured: dict, repeats: int, figpack: dict | None) -> list[tuple[str, str, str, str, str]]:
    """Rows of the table for the 1,000-unit figure."""
    yes = {True: "yes", False: "NO"}
    first = measured["first"]
    name = f"{scale['units']} units, {scale['spikes'] / 1e6:.1f} M spikes"
    peer = "-" if figpack is None else f"figpack {figpack['median']:.2f} s" if figpack["median"] else figpack["note"]
    rows = [
        (
            f"first render, {name} (median, max of {repeats})",
            f"{first['median']:.2f} s ({first['max']:.2f})",
            peer,
            f"< {FIRST_RENDER_TARGET_S:g} s",
            yes[
                first["median"] < FIRST_RENDER_TARGET_S
                and (not figpack or not figpack["median"] or first["median"] < figpack["median"])
            ],
        )
    ]
    rows += interaction_rows(measured["actions"], scale["units"])
    for key, label in (
        ("zoom", "wheel zoom (mouse.wheel)"),
        ("saturated", "wheel zoom, 1 event per frame"),
        ("pan", "drag pan, ~0.3 M spikes in view"),
    ):
        frames = measured["amplitudes"][key]["frames"]
        rows.append(
            (
                f"amplitudes {label}: fps at the p95 frame interval",
                f"{1000 / frames['p95_ms']:.1f} fps ({frames['p95_ms']:.1f} ms)",
                f"median {frames['fps']:.1f} fps",
                f">= {FPS_TARGET:g} fps",
                yes[1000 / frames["p95_ms"] >= FPS_TARGET],
            )
        )
    return rows


# ---------------------------------------------------------------- report


def fps_cell(stats: dict) -> str:
    """Frame rate and median frame interval, for a table cell."""
    return f"{stats['fps']:.1f} fps ({stats['median_ms']:.1f} ms)"


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    """A plain-text table: measure | ours | baseline | target | ok."""
    header = ("measure", "ours", "baseline", "target", "ok")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = " | ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))


def report(
    summary: dict,
    raster: dict,
    first: dict,
    interaction: dict,
    baseline: dict,
    repeats: int,
    figpack: dict | None = None,
    extra_rows: list | None = None,
) -> None:
    """Print the results table and the details behind it."""
    yes = {True: "yes", False: "NO"}
    rows = [
        (
            f"first render, summary {summary['units']} units/{summary['channels']} ch (median of {repeats})",
            f"{first['median']:.2f} s",
            "-",
            f"< {FIRST_RENDER_TARGET_S:g} s",
            yes[first["median"] < FIRST_RENDER_TARGET_S],
        ),
        (
            f"first render, summary (max of {repeats})",
            f"{first['max']:.2f} s",
            "-",
            f"< {FIRST_RENDER_TARGET_S:g} s",
            yes[first["max"] < FIRST_RENDER_TARGET_S],
        ),
    ]
    if figpack is not None:
        peer = f"figpack {figpack['median']:.2f} s" if figpack["median"] is not None else figpack["note"]
        rows.append(
            (
                f"first render beside a peer, summary {summary['units']} units (median of {repeats})",
                f"{first['median']:.2f} s",
                peer,
                "ours faster",
                yes[figpack["median"] is None or first["median"] < figpack["median"]],
            )
        )
    spikes = f"raster {raster['spikes'] / 1e6:.2f} M spikes"
    interactions = (
        ("zoom", f"wheel zoom (mouse.wheel), {spikes}"),
        ("pan", f"drag pan (mouse.move), {spikes}"),
        ("saturated", "wheel zoom, 1 in-page event per frame"),
    )
    for name, label in interactions:
        frames = interaction[name]["frames"]
        rows.append(
            (
                f"{label}: fps",
                fps_cell(frames),
                fps_cell(baseline),
                f">= {FPS_TARGET:g} fps",
                yes[frames["fps"] >= FPS_TARGET],
            )
        )
        rows.append(
            (f"{label}: p95 frame interval", f"{frames['p95_ms']:.1f} ms", f"{baseline['p95_ms']:.1f} ms", "-", "-")
        )
    rows += extra_rows or []
    print()
    print_table(rows)
    print()
    for name, _ in interactions:
        part = interaction[name]
        frames, draws = part["frames"], part["draws"]
        print(
            f"{name}: {part['seconds']:.1f} s, {frames['frames']} frames ({frames['fps'] / baseline['fps']:.2f}x the "
            f"blank page's fps), frame interval max {frames['max_ms']:.0f} ms, by rAF timestamps median "
            f"{frames['stamp_median_ms']:.1f} / p95 {frames['stamp_p95_ms']:.1f} ms; {draws['draws']} raster draws "
            f"({draws['per_s']:.0f}/s), draw time median {draws['median_ms']:.1f} ms, p95 {draws['p95_ms']:.1f} ms"
        )
    print(f"raster first draw {interaction['first_draw']:.2f} s; console errors: {len(interaction['errors'])}")
    for error in interaction["errors"][:5]:
        print(f"  console: {error[:300]}")
    print(
        f"blank page: {baseline['frames']} frames, interval max {baseline['max_ms']:.1f} ms, by rAF timestamps "
        f"median {baseline['stamp_median_ms']:.1f} / p95 {baseline['stamp_p95_ms']:.1f} ms"
    )


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 first-render repeat and 1.5 s interactions")
    parser.add_argument("--repeats", type=int, default=None, help="first-render repeats (default 3, --quick 1)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds of zoom and of pan (default 3)")
    parser.add_argument("--no-build", action="store_true", help="fail instead of building a missing analyzer")
    parser.add_argument("--no-figpack", action="store_true", help="leave out figpack's page (the peer)")
    parser.add_argument("--no-scale", action="store_true", help="leave out the 1,000-unit figure")
    parser.add_argument("--only-scale", action="store_true", help="only the 1,000-unit figure (and its peer)")
    parser.add_argument("--screenshots", type=Path, default=None, help="save screenshots of the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the run's temporary folder (store, runner log)")
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    seconds = args.seconds or (1.5 if args.quick else 3.0)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    if args.screenshots is not None:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    print(f"load average at start: {load_average()}")
    work = Path(tempfile.mkdtemp(prefix="sv-bench-viewer-"))
    try:
        viewer_dist, viewer_note = prepare_viewer(work)
        print(f"viewer: {viewer_note}")
        port = find_free_port()
        configure_environment(work, port)
        with running_runner(work, port, viewer_dist) as address:
            print(f"runner: {address} (store {work / 'store'})")
            summary = raster = scale = None
            if not args.only_scale:
                summary = publish_summary(rebuild_ok=not args.no_build, figpack_dir=None if args.no_figpack else work)
                print(f"summary: {summary['spikes']} spikes; {summary['note']}")
                raster = publish_raster()
                print(f"raster: {raster['spikes']} spikes; {raster['note']}")
            if not args.no_scale:
                scale = publish_scale(work, figpack=not args.no_figpack)
                print(f"1,000 units: {scale['spikes']} spikes; {scale['note']}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
                print(f"chromium {browser.version}, viewport {VIEWPORT['width']}x{VIEWPORT['height']}")
                baseline = measure_baseline(browser, seconds)
                first = interaction = figpack = scale_figpack = measured = None
                if summary is not None:
                    first = measure_first_render(browser, summary, repeats, args.screenshots)
                    if "figpack_folder" in summary:
                        figpack = measure_figpack_first_render(
                            browser,
                            summary["figpack_folder"],
                            VIEWPORT,
                            repeats,
                            POLL_MS,
                            RENDER_TIMEOUT_MS,
                            args.screenshots,
                        )
                    interaction = measure_pan_zoom(browser, raster, seconds, args.screenshots)
                if scale is not None:
                    measured = measure_scale(browser, scale, repeats, seconds, args.screenshots)
                    if "figpack_folder" in scale:
                        scale_figpack = measure_figpack_first_render(
                            browser, scale["figpack_folder"], VIEWPORT, repeats, POLL_MS, RENDER_TIMEOUT_MS, None
                        )
                browser.close()
        extra = [] if scale is None else scale_rows(scale, measured, repeats, scale_figpack)
        if summary is not None:
            report(summary, raster, first, interaction, baseline, repeats, figpack, extra)
        else:
            print()
            print_table(extra)
        if scale is not None:
            print(f"1,000 units: {scale['note']}; console errors: {len(measured['errors'])}")
            for error in measured["errors"][:5]:
                print(f"  console: {error[:300]}")
        print(f"\nload average at end: {load_average()}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def publish_scale(work: Path, figpack: bool) -> dict:
    """The 1,000-unit figure: the hour preset's summary when cached (with figpack's folder), else synthetic."""
    folder, why = hour_preset_folder()
    if folder is None:
        print(f"1,000 units: {why}; using the synthetic figure")
        return publish_synthetic()
    scale = publish_hour_summary(folder)
    scale["note"] = f"{why}; {scale['note']}"
    if figpack:
        scale["figpack_folder"], seconds = save_figpack_folder(scale["analyzer"], work / "hour")
        scale["note"] += f"; figpack's folder saved in {seconds:.1f} s"
    scale["analyzer"] = None
    gc.collect()
    return scale


if __name__ == "__main__":
    sys.exit(main())
