"""The 1,000-unit figure of the viewer benchmark, and the interactions timed on it (select, sort, merge).

The figure is ``plot_sorting_summary(analyzer, curation=True)`` of the hour preset (384 channels, 60 min,
1,000 units, >= 20 M spikes; ``presets.py``) when its analyzer is cached, else a synthetic figure of the same
size written with the view classes: a units table of 1,000 units, the curation panel, and a SpikeAmplitudes
view of 20.5 M spikes (per-unit firing rates spread over two decades, amplitude bands that drift, 0.05 %
outliers) with levels of detail, as the summary writes it at that size.

Interactions are timed inside the figure's frame with ``bench_curation.time_click`` (the page settled first;
from the ``click()`` to the change in the DOM, and to the next painted frame after it).
"""

from __future__ import annotations

import gc
import statistics
import time

import numpy as np
from bench_curation import select_units, time_click

HOUR_PRESET = "hour"
SYNTHETIC_UNITS = 1_000
SYNTHETIC_DURATION_S = 3600.0
SYNTHETIC_SPIKES = 20_500_000
SYNTHETIC_FS = 30_000.0
SELECT_TARGET_MS = 50.0

ROW = 'table[data-testid="units-table"] tr[data-unit-id="{}"]'


def hour_preset_folder():
    """The hour preset's cached analyzer folder when ``presets.py`` has the preset and its cache is complete."""
    from presets import COMPLETE_MARKER, PRESETS, analyzer_folder

    preset = PRESETS.get(HOUR_PRESET)
    if preset is None:
        return None, f"no '{HOUR_PRESET}' preset in presets.py"
    folder = analyzer_folder(preset)
    if not (folder.parent / COMPLETE_MARKER).is_file():
        return None, f"the {HOUR_PRESET} preset is not cached at {folder} (build it with bench_publish_summary.py)"
    return folder, f"{HOUR_PRESET} preset ({preset.describe()}), cached analyzer {folder}"


def synthetic_spikes(seed: int = 2205) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spike frames (ascending, at ``SYNTHETIC_FS``), amplitudes and unit indices of the synthetic 1,000-unit hour."""
    rng = np.random.default_rng(seed)
    rates = rng.lognormal(np.log(4.0), 1.0, SYNTHETIC_UNITS)
    units = rng.choice(SYNTHETIC_UNITS, size=SYNTHETIC_SPIKES, p=rates / rates.sum()).astype(np.uint16)
    frames = rng.integers(0, int(SYNTHETIC_DURATION_S * SYNTHETIC_FS), SYNTHETIC_SPIKES)
    order = np.argsort(frames, kind="stable")
    frames, units = frames[order], units[order]
    del order
    times = (frames / SYNTHETIC_FS).astype("float32")
    centre = -rng.uniform(40, 400, SYNTHETIC_UNITS).astype("float32")
    phase = rng.uniform(0, 2 * np.pi, SYNTHETIC_UNITS).astype("float32")
    drift = (1 + 0.1 * np.sin(times / 600.0 + phase[units])).astype("float32")
    amplitudes = centre[units] * drift * (1 + 0.08 * rng.standard_normal(SYNTHETIC_SPIKES, dtype="float32"))
    outliers = rng.random(SYNTHETIC_SPIKES) < 0.0005
    amplitudes[outliers] *= rng.uniform(1.8, 3.0, int(outliers.sum())).astype("float32")
    return frames, amplitudes.astype("float32"), units


def publish_synthetic() -> dict:
    """Publish the synthetic 1,000-unit figure; returns its URL and facts."""
    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview import views

    start = time.perf_counter()
    frames, amplitudes, units = synthetic_spikes()
    counts = np.bincount(units, minlength=SYNTHETIC_UNITS)
    unit_ids = list(range(SYNTHETIC_UNITS))
    columns = [
        views.UnitsTableColumn("num_spikes", "num spikes", "int"),
        views.UnitsTableColumn("firing_rate", "firing rate (Hz)", "float"),
    ]
    rows = [
        views.UnitsTableRow(u, {"num_spikes": int(counts[u]), "firing_rate": float(f"{counts[u] / 3600:.4g}")})
        for u in unit_ids
    ]
    made = time.perf_counter() - start
    amplitudes_view = views.spike_amplitudes_with_levels(
        0.0, SYNTHETIC_DURATION_S, unit_ids, frames, SYNTHETIC_FS, amplitudes, units, hide_unit_selector=True
    )
    left = views.Box(
        "vertical",
        [
            views.LayoutItem(views.UnitsTable(columns, rows), stretch=3),
            views.LayoutItem(views.SortingCuration2(), max_size=250),
        ],
    )
    figure = views.Splitter(
        "horizontal", views.LayoutItem(left, max_size=720, stretch=1), views.LayoutItem(amplitudes_view, stretch=2)
    )
    url = sv.Figure(figure).url(label="synthetic 1000 units")
    published = time.perf_counter() - start - made
    facts = {
        "url": url,
        "leaves": sorted(["UnitsTable", "SortingCuration2", "SpikeAmplitudes"]),
        "units": SYNTHETIC_UNITS,
        "spikes": int(len(frames)),
        "unit_ids": [str(u) for u in unit_ids],
        "note": f"synthetic figure: spikes made in {made:.1f} s, views written and stored in {published:.1f} s",
        "analyzer": None,
    }
    del frames, amplitudes, units, amplitudes_view, figure
    gc.collect()
    return facts


def publish_hour_summary(folder) -> dict:
    """Publish ``plot_sorting_summary(curation=True)`` of the cached hour preset; returns its URL and facts."""
    import spikeinterface.widgets as sw
    from bench_viewer import leaf_types
    from presets import load_analyzer

    import spikeinterface_sortingview  # noqa: F401  (registers backend="sortingview")

    start = time.perf_counter()
    analyzer = load_analyzer(folder)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    widget = sw.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False)
    published = time.perf_counter() - start
    return {
        "url": widget.url,
        "leaves": sorted(leaf_types(widget.view)),
        "units": len(analyzer.unit_ids),
        "spikes": int(analyzer.sorting.count_total_num_spikes()),
        "unit_ids": [str(u) for u in analyzer.unit_ids],
        "note": f"analyzer loaded in {loaded:.1f} s, summary published in {published:.1f} s",
        "analyzer": analyzer,
    }


# The unit ids of the units table's rows that are rendered (a table of 1,000 units renders those in view).
RENDERED_ROWS_JS = """() => [...document.querySelectorAll('table[data-testid="units-table"] tbody tr[data-unit-id]')]
  .filter((row) => row.dataset.kind === 'unit').map((row) => row.dataset.unitId)"""


def measure_interactions(frame, unit_ids: list[str], repeats: int) -> dict[str, list[dict]]:
    """Select a unit (a row click), sort the units table (a header click) and merge two units, ``repeats`` times.

    The rows clicked are among those the table renders (the rows in view), as a user's clicks are.
    """
    results: dict[str, list[dict]] = {"select a unit": [], "sort the units table": [], "merge two units": []}
    summary = "doc.querySelector('[data-testid=curation-summary]').textContent"
    header = 'table[data-testid="units-table"] thead th:nth-child({})'
    for i in range(repeats):
        rendered = frame.evaluate(RENDERED_ROWS_JS)
        unit = rendered[(7 * i + 5) % min(len(rendered), 30)]
        selected = f"doc.querySelector('{ROW.format(unit)}').getAttribute('aria-selected') === 'true'"
        results["select a unit"].append(time_click(frame, ROW.format(unit), selected))
        # each click sorts by the next column (or flips the order): the header's aria-sort changes
        column = 3 + i % 2
        before = frame.evaluate(f"document.querySelector('{header.format(column)}').getAttribute('aria-sort')")
        changed = f"doc.querySelector('{header.format(column)}').getAttribute('aria-sort') !== '{before}'"
        results["sort the units table"].append(time_click(frame, header.format(column), changed))
        rendered = frame.evaluate(RENDERED_ROWS_JS)
        select_units(frame, rendered[10 + 2 * i : 12 + 2 * i])
        results["merge two units"].append(
            time_click(frame, '[data-testid="merge-button"]', f"{summary}.includes('{i + 1} merge group')")
        )
    return results


def interaction_rows(results: dict[str, list[dict]], units: int) -> list[tuple[str, str, str, str, str]]:
    """Rows of the benchmark's table: median (max) to the next painted frame, against a frame or two."""
    rows = []
    for action, runs in results.items():
        painted = [r["painted"] for r in runs]
        median = statistics.median(painted)
        target = SELECT_TARGET_MS if action == "select a unit" else 2 * 1000 / 60
        rows.append(
            (
                f"{action}, {units} units: painted (median, max of {len(runs)})",
                f"{median:.0f} ms ({max(painted):.0f})",
                f"DOM {statistics.median(r['dom'] for r in runs):.0f} ms",
                f"< {target:.0f} ms",
                "yes" if median < target else "NO",
            )
        )
    return rows
