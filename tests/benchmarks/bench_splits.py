"""A split preview through the runner on the Neuropixels-scale preset, beside SpikeInterface doing the same work.

Measured (p50/p99 over repeats, warm worker; each request moves the polygon so none is answered from the cache):

* ``split preview (runner)``: ``sortingview.split_selection.1`` over HTTP (``POST /api``) on one unit of the
  preset (amplitudes feature, the analyzer's spike amplitudes shared as spike features): the full-train
  indices inside the polygon, both parts' counts, autocorrelograms and a sample of amplitudes. Target < 300 ms.
* ``split preview (handler)``: the same handler called in this process (no Ray, no HTTP).
* Baseline ``SpikeInterface``: what a script does for the same preview: select the unit's spikes inside the
  polygon from the analyzer's amplitudes, build the two-part sorting (``NumpySorting.from_unit_dict``)
  and ``compute_correlograms`` of it (50 ms window, 1 ms bins).
* ``page: lasso to preview``: in Chromium, a figure of the preset's amplitudes (500 spikes per unit, all 300
  units) served by the runner: from releasing the lasso to the preview's counts on screen. A screenshot at
  1600 x 1000 goes to test-artifacts/browser/split-neuropixels.png.
* ``page: confirm to parts drawn``: then confirming the split: from the click to the units table showing the
  parts and the next frame painted, the amplitudes view drawing the unit's spikes in its parts' colours
  (the amplitudes canvas's own draw time given beside it). Screenshot: split-neuropixels-parts.png.

The preset is read from /tmp/sv-bench-cache (``presets.py``; never built here: it takes minutes); without
it a generated 300-unit analyzer (32 channels, 120 s) is used, and the table says which. The preset has no
recording (see presets.py), so the preview has no templates here. The script starts its own local Ray and
one ``sv-runner start --address <that Ray>`` on a free loopback port, with a temporary store; everything is
removed at the end. It prints one table and exits 0.

Usage::

    python tests/benchmarks/bench_splits.py
    python tests/benchmarks/bench_splits.py --repeats 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import httpx
import numpy as np
import spikeinterface.core as sc

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_runner import RAY_ENV, Row, Runner, p50_p99, print_table, query_body, timings  # noqa: E402
from tests.benchmarks.presets import COMPLETE_MARKER, PRESETS, analyzer_folder, load_analyzer  # noqa: E402
from tests.browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, built_viewer  # noqa: E402

SPLIT = "sortingview.split_selection.1"
TARGET_MS = 300.0
FIGURE_SPIKES_PER_UNIT = 500


def cached_or_generated_analyzer(root: Path):
    """The cached Neuropixels preset when present, else a generated 300-unit analyzer; and its description."""
    preset = PRESETS["neuropixels"]
    folder = analyzer_folder(preset)
    if (folder.parent / COMPLETE_MARKER).is_file():
        return load_analyzer(folder), f"neuropixels preset ({preset.describe()})"
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[120.0], num_channels=32, num_units=300, seed=2205, generate_sorting_kwargs={"firing_rates": 15.0}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyzer = sc.create_sorting_analyzer(sorting, recording, format="memory", sparse=True)
        analyzer.compute(["random_spikes", "templates", "spike_amplitudes"])
    return analyzer, "generated analyzer (32 ch, 2 min, 300 units; the preset is not cached)"


def plain(unit_id):
    return unit_id.item() if isinstance(unit_id, np.generic) else unit_id


def polygon_for(times: np.ndarray, amplitudes: np.ndarray, i: int) -> list:
    """A rectangle over part of the unit's amplitudes, moved a little with ``i`` so each request is new."""
    cut = float(np.median(amplitudes)) + 1e-3 * (i + 1)
    t0, t1 = float(times.min()), float(times.max())
    return [[t0, cut], [t1 + 1, cut], [t1 + 1, 1e6], [t0, 1e6]]


def spikeinterface_preview(sorting, unit_id, inside: np.ndarray) -> None:
    """The baseline: the two parts as a sorting and their correlograms, as a script would compute them."""
    from spikeinterface.postprocessing import compute_correlograms

    train = sorting.get_unit_spike_train(unit_id)
    parts = sc.NumpySorting.from_unit_dict(
        [{"inside": train[inside], "rest": train[~inside]}], sorting.sampling_frequency
    )
    compute_correlograms(parts, window_ms=50.0, bin_ms=1.0)


# Clicks the split's Confirm in the figure's frame and times the parts on screen: {dom, painted, draws} in ms.
CONFIRM_JS = """async (unit) => {
  window.__svPerf = { draws: [] }
  const t0 = performance.now()
  document.querySelector('[data-testid="split-confirm"]').click()
  while (!document.querySelector(`tr[data-unit-id="${unit}.1"]`)) {
    if (performance.now() - t0 > 10000) return { error: 'no row of the part after 10 s' }
    await new Promise((r) => setTimeout(r, 0))
  }
  const dom = performance.now() - t0
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
  const painted = performance.now() - t0
  return { dom, painted, draws: window.__svPerf.draws.filter((d) => d.view === 'SpikeAmplitudes').map((d) => d.ms) }
}"""


def bench_page(runner_url: str, figure_url: str, unit_id) -> tuple[float, int, dict]:
    """Lasso to preview in Chromium (ms), the preview's inside count, and the confirm's timing; saves screenshots."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            print(f"opening {figure_url}", flush=True)
            page.goto(figure_url)
            frame = page.frame_locator("iframe")
            try:
                frame.locator('[data-testid="figure-root"][data-loaded="true"]').wait_for(timeout=120_000)
                frame.locator(f'tr[data-unit-id="{unit_id}"]').click()
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "browser" / "split-neuropixels-failed.png"))
                raise
            view = frame.locator('[data-view-type="SpikeAmplitudes"]')
            view.locator('[data-testid="split-lasso"]').click()
            box = view.locator('[data-testid="lasso-overlay"]').bounding_box()
            points = [(0.1, 0.78), (0.9, 0.78), (0.9, 0.97), (0.1, 0.97)]  # across the lower band (the preset's units)
            points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
            page.mouse.move(*points[0])
            page.mouse.down()
            for x, y in points[1:] + points[:1]:
                page.mouse.move(x, y, steps=5)
            start = time.perf_counter()
            page.mouse.up()
            count = view.locator('[data-testid="split-count-0"]')
            count.wait_for(timeout=120_000)
            elapsed = (time.perf_counter() - start) * 1000
            page.wait_for_timeout(300)
            (ARTIFACTS / "browser").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "browser" / "split-neuropixels.png"))
            inside = int(count.inner_text())
            figure = next(f for f in page.frames if f != page.main_frame)
            confirmed = figure.evaluate(CONFIRM_JS, str(unit_id))
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "browser" / "split-neuropixels-parts.png"))
            return elapsed, inside, confirmed
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    for name, value in RAY_ENV.items():
        os.environ.setdefault(name, value)
    import ray

    import spikeinterface_sortingview as sv
    from runner.handlers import DataSource, run_handler
    from spikeinterface_sortingview import views
    from spikeinterface_sortingview.widgets.analyzer_views import amplitudes_view
    from spikeinterface_sortingview.widgets.common import display_precision
    from spikeinterface_sortingview.widgets.spike_features import share_analyzer_spike_features

    sc.set_global_job_kwargs(n_jobs=1, progress_bar=False)
    root = Path(tempfile.mkdtemp(prefix="sv-bench-splits-"))
    store_dir = root / "store"
    os.environ["SORTINGVIEW_STORE_DIR"] = str(store_dir)
    os.environ["SORTINGVIEW_HOME"] = str(root / "home")
    os.environ["SORTINGVIEW_VIEWER_DIR"] = str(built_viewer())
    rows: list[Row] = []
    try:
        started = time.perf_counter()
        analyzer, described = cached_or_generated_analyzer(root)
        sorting = analyzer.sorting
        spikes = sorting.to_spike_vector()
        amplitudes = display_precision(analyzer.get_extension("spike_amplitudes").get_data())
        # The unit with the median spike count: a typical unit, not the smallest or the largest.
        counts = np.bincount(spikes["unit_index"], minlength=len(sorting.unit_ids))
        unit_index = int(np.argsort(counts)[len(counts) // 2])
        unit_id = sorting.unit_ids[unit_index]
        unit = plain(unit_id)
        mask = spikes["unit_index"] == unit_index
        times = (spikes["sample_index"][mask] / sorting.sampling_frequency).astype("float32")
        unit_amplitudes = amplitudes[mask]
        sorting_uri = sv.share_sorting(sorting)
        features_uri = share_analyzer_spike_features(analyzer)
        shown = amplitudes_view(
            analyzer, list(sorting.unit_ids), max_spikes_per_unit=FIGURE_SPIKES_PER_UNIT, with_spike_indices=True
        )
        amplitude_view = views.SplittableSpikeAmplitudes(
            shown.start_time_sec,
            shown.end_time_sec,
            shown.units,
            sorting_uri=sorting_uri,
            spike_features_uri=features_uri,
        )
        table = views.UnitsTable(
            [views.UnitsTableColumn("n", "spikes", "int")],
            [views.UnitsTableRow(u.unit_id, {"n": int(counts[i])}) for i, u in enumerate(shown.units)],
        )
        left = views.Box(
            "vertical",
            [views.LayoutItem(table, stretch=3), views.LayoutItem(views.SortingCuration2(sorting_uri=sorting_uri))],
        )
        layout = views.Splitter(
            "horizontal", views.LayoutItem(left, max_size=300), views.LayoutItem(amplitude_view, stretch=3)
        )
        print(
            f"{described}: {len(spikes)} spikes, unit {unit} has {int(mask.sum())}; data ready in "
            f"{time.perf_counter() - started:.1f} s; starting Ray",
            flush=True,
        )
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=256 * 1024**2,
            log_to_driver=False,
            # on loopback: without it Ray looks for the machine's address and times out where there is no network
            _node_ip_address="127.0.0.1",
        )
        with Runner(root, store_dir, {"clusters": 1, "misc": 1}, ray.get_runtime_context().gcs_address, "one") as one:
            figure_url = sv.Figure(layout).url(label="splits at scale", address=one.url, view_url=f"{one.url}/viewer")
            task = {
                "sorting_uri": sorting_uri,
                "unit_ids": unit,
                "feature": "amplitudes",
                "spike_features_uri": features_uri,
            }
            with httpx.Client(base_url=one.url, timeout=120) as http:

                def through_runner(i: int) -> None:
                    response = http.post(
                        "/api", json=query_body(SPLIT, {**task, "polygon": polygon_for(times, unit_amplitudes, i)})
                    )
                    if response.status_code != 200:
                        raise RuntimeError(response.text[:300])

                through_runner(-1)  # the worker starts, opens the sorting and the spike features
                runner_times = timings(through_runner, args.repeats)
            data = DataSource()
            run_handler(SPLIT, {**task, "polygon": polygon_for(times, unit_amplitudes, -2)}, data)
            handler_times = timings(
                lambda i: run_handler(SPLIT, {**task, "polygon": polygon_for(times, unit_amplitudes, 100 + i)}, data),
                args.repeats,
            )

            def baseline(i: int) -> None:
                polygon = polygon_for(times, unit_amplitudes, 200 + i)
                spikeinterface_preview(sorting, unit_id, unit_amplitudes > polygon[0][1])

            baseline(-1)
            baseline_times = timings(baseline, args.repeats)
            base50, _ = p50_p99(baseline_times)
            p50, p99 = p50_p99(runner_times)
            rows.append(Row("split preview (runner)", p50, p99, base50, "SpikeInterface", TARGET_MS))
            h50, h99 = p50_p99(handler_times)
            rows.append(Row("split preview (handler)", h50, h99, base50, "SpikeInterface"))
            try:
                # a unit in the table's first rows (it draws only the rows on screen)
                page_ms, inside, confirmed = bench_page(one.url, figure_url, plain(sorting.unit_ids[5]))
                rows.append(Row(f"page: lasso to preview ({inside} spikes inside)", page_ms, None, p50, "runner p50"))
                if "error" in confirmed:
                    print(f"confirm: {confirmed['error']}")
                else:
                    draws = ", ".join(f"{ms:.1f}" for ms in confirmed["draws"])
                    print(f"confirm: parts in the table after {confirmed['dom']:.1f} ms; amplitudes draws {draws} ms")
                    rows.append(Row("page: confirm to parts drawn", confirmed["painted"], None, p50, "runner p50"))
            except Exception:
                traceback.print_exc()
        print(f"data: {described}")
    except Exception:
        traceback.print_exc()
    finally:
        ray.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
