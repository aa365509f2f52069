"""Benchmark of shared sortings: compact spike trains against SpikeInterface's int64 spike vector, in one run.

Run: ``python tests/benchmarks/bench_shared_sorting.py [--sizes 300:600 1000:3600]``

For each size (units:seconds, generated with ``generate_sorting``), both ways of keeping a sorting's
spikes in the store are measured on the same sorting: ours (``share_sorting``, compact spike trains)
and the baseline, the spike vector saved as ``.npy`` (what version 1 manifests held, and what
SpikeInterface's own ``NumpyFolderSorting`` writes). Bytes stored, time to store, one unit's spikes
in a 1 s window, and the whole spike vector read back; every read is checked to be exact.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def timed(work, repeats: int = 5) -> tuple[float, object]:
    """Median seconds of ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(num_units: int, seconds: float, folder: Path) -> list[tuple[str, str, str, str]]:
    import spikeinterface.core as sc

    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview.store import LocalStore

    sorting = sc.generate_sorting(
        num_units=num_units, sampling_frequency=30_000.0, durations=[seconds], firing_rates=20 * 300 / num_units, seed=1
    )
    vector = sorting.to_spike_vector()
    n = vector.size
    store = LocalStore(folder)

    share_s, uri = timed(lambda: sv.share_sorting(sorting, in_place=False), repeats=1)
    manifest = store.load_json(uri)
    parts = [uri, manifest["spike_trains"]["deltas_uri"], manifest["spike_trains"]["index_uri"]]
    ours_bytes = sum(store.path(u).stat().st_size for u in parts)

    def save_vector() -> Path:
        buffer = io.BytesIO()
        np.save(buffer, vector, allow_pickle=False)
        return store.path(store.store_bytes(buffer.getvalue()))

    vector_s, vector_path = timed(save_vector, repeats=1)
    base_bytes = vector_path.stat().st_size

    unit = sorting.unit_ids[7]
    start, end = int(30_000 * seconds / 2), int(30_000 * (seconds / 2 + 1))
    expected = sorting.get_unit_spike_train(unit, start_frame=start, end_frame=end)
    loaded = sv.load_sorting(uri)
    window_s, train = timed(lambda: loaded.get_unit_spike_train(unit, start_frame=start, end_frame=end))
    assert np.array_equal(train, expected)
    mapped = np.load(vector_path, mmap_mode="r")

    def vector_window() -> np.ndarray:
        # What a reader of the spike vector does for one unit: every spike's unit index is read.
        lo, hi = np.searchsorted(mapped["sample_index"], [start, end])
        part = mapped[lo:hi]
        return part["sample_index"][part["unit_index"] == 7]

    base_window_s, base_train = timed(vector_window)
    assert np.array_equal(base_train, expected)

    full_s, full = timed(lambda: sv.load_sorting(uri).to_spike_vector(), repeats=3)
    assert np.array_equal(full, vector)
    base_full_s, _ = timed(lambda: np.array(np.load(vector_path, mmap_mode="r")), repeats=3)

    size = f"{num_units} units, {seconds / 60:g} min, {n / 1e6:.1f} M spikes"
    return [
        (size, "", "", ""),
        ("  bytes a spike", f"{ours_bytes / n:.2f}", f"{base_bytes / n:.2f}", f"{ours_bytes / base_bytes:.3f}"),
        ("  store it, s", f"{share_s:.2f}", f"{vector_s:.2f}", f"{share_s / vector_s:.2f}"),
        (
            "  one unit, 1 s window, ms",
            f"{window_s * 1e3:.3f}",
            f"{base_window_s * 1e3:.3f}",
            f"{window_s / base_window_s:.2f}",
        ),
        ("  whole spike vector, s", f"{full_s:.2f}", f"{base_full_s:.2f}", f"{full_s / base_full_s:.1f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["300:600", "1000:3600"], help="units:seconds per sorting")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        units, seconds = size.split(":")
        with tempfile.TemporaryDirectory(prefix="bench-sorting-") as tmp:
            os.environ["SORTINGVIEW_STORE_DIR"] = tmp
            rows += measure(int(units), float(seconds), Path(tmp))
    headers = ("measurement", "ours (compact trains)", "spike vector (.npy)", "ours / spike vector")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(4)]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("\ntarget: <= 4 bytes a spike, read back exactly (checked), one unit or window without reading the rest")


if __name__ == "__main__":
    main()
