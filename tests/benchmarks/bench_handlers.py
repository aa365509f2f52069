"""In-process timings of the runner's compute handlers, against targets and a SpikeInterface baseline.

Measured (p50 over repeats, warm: the data source already holds the objects, as a
long-lived Ray actor does; the first, cold call is reported separately):

* ``correlogram``: the autocorrelogram of a merged pair of units
  (``sortingview.correlograms.1``) on a sorting of >= 1 M spikes; target < 50 ms.
  Baseline: what a handler without our kernel would do, merge with
  ``apply_merges_to_sorting``, keep the merged unit, ``compute_correlograms``.
* ``traces``: a 1 s x 384-channel window (``sortingview.traces_window.1``) from an int16
  binary recording with gains, returned as a float32 µV payload array (what the HTTP reply
  sends without a copy); target < 20 ms. Baseline: ``recording.get_traces(...,
  return_in_uV=True)`` of the same window. Also reported: the payload copied into ``bytes``,
  the window decimated to 2000 pixels, and band-pass filtered.
* ``waveform``: the average waveform (mean and std, 500 random spikes, 384 channels) of one
  unit (``sortingview.average_waveforms.1``). Baseline: a dense in-memory sorting analyzer
  of that unit with ``random_spikes`` (500) and ``templates`` (average, std).

Usage::

    python tests/benchmarks/bench_handlers.py               # 20 repeats
    python tests/benchmarks/bench_handlers.py --repeats 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import spikeinterface.core as sc
from probeinterface.neuropixels_tools import build_neuropixels_probe
from spikeinterface.postprocessing import compute_correlograms

from runner.handlers import DictDataSource, run_handler

FS = 30000.0
NUM_CHANNELS = 384
RECORDING_SECONDS = 10.0
GAIN_UV = 2.34375  # Neuropixels 1.0 AP gain 500


def p50(function: Callable[[], object], repeats: int) -> float:
    """Median wall time (ms) of ``function`` over ``repeats`` calls."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def once(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def make_sorting() -> tuple[sc.BaseSorting, list]:
    """300 units over 600 s (about 1.2 M spikes); the two units to merge fire at 20 Hz."""
    rates = np.full(300, 6.5)
    rates[:2] = 20.0
    sorting = sc.generate_sorting(
        num_units=300, sampling_frequency=FS, durations=[600.0], firing_rates=rates, refractory_period_ms=2.0, seed=0
    )
    return sorting, [u.item() for u in sorting.unit_ids[:2]]


def make_recording(folder: Path) -> sc.BaseRecording:
    """An int16 binary Neuropixels 1.0 recording with a gain, written once (noise: the bytes matter, not the signal)."""
    if not (folder / "binary.json").exists():
        rng = np.random.default_rng(0)
        traces = rng.integers(-200, 200, size=(int(RECORDING_SECONDS * FS), NUM_CHANNELS), dtype=np.int16)
        recording = sc.NumpyRecording([traces], FS)
        recording.set_channel_gains(GAIN_UV)
        recording.set_channel_offsets(0.0)
        probe = build_neuropixels_probe("NP1000").get_slice(np.arange(NUM_CHANNELS))
        probe.set_device_channel_indices(np.arange(NUM_CHANNELS))
        recording.set_probe(probe)  # in place in SpikeInterface 0.105
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            recording.save(folder=folder, format="binary", verbose=False, progress_bar=False)
    return sc.load(folder)


def bench_correlogram(repeats: int) -> list[tuple]:
    sorting, pair = make_sorting()
    num_spikes = len(sorting.to_spike_vector())
    data = DictDataSource({"sorting": sorting})
    request = {"sorting_uri": "sorting", "unit_groups": [pair], "window_ms": 50, "bin_ms": 1}
    cold = once(lambda: run_handler("sortingview.correlograms.1", request, data))
    ours = p50(lambda: run_handler("sortingview.correlograms.1", request, data), repeats)

    def baseline() -> None:
        merged = sc.apply_merges_to_sorting(sorting, [pair], new_unit_ids=[pair[0]])
        compute_correlograms(merged.select_units([pair[0]]), window_ms=50.0, bin_ms=1.0)

    baseline()  # compile SpikeInterface's numba kernel outside the timing
    base = p50(baseline, max(3, repeats // 4))
    merged_spikes = int(sum(len(sorting.get_unit_spike_train(u)) for u in pair))
    label = f"merged-pair correlogram ({num_spikes / 1e6:.2f} M spikes; pair of {merged_spikes})"
    return [
        (label, ours, base, "merge + compute_correlograms", 50.0),
        ("  first call (trains + kernel load)", cold, None, "", None),
    ]


def bench_traces(recording: sc.BaseRecording, repeats: int) -> list[tuple]:
    data = DictDataSource({"rec": recording})
    starts = [0, 90_000, 180_000]  # rotate windows; all in the page cache after the first pass
    counter = iter(range(10**9))

    def window() -> int:
        return starts[next(counter) % len(starts)]

    def ours(as_bytes: bool = False, **extra) -> Callable[[], object]:
        def call() -> None:
            start = window()
            request = {"recording_uri": "rec", "start_frame": start, "end_frame": start + 30_000, **extra}
            result = run_handler("sortingview.traces_window.1", request, data)
            if as_bytes:
                result.payload_bytes()

        return call

    def baseline() -> None:
        start = window()
        recording.get_traces(0, start, start + 30_000, return_in_uV=True)

    for start in starts:  # warm the page cache
        recording.get_traces(0, start, start + 30_000)
    full = p50(ours(), repeats)
    base = p50(baseline, repeats)
    copied = p50(ours(as_bytes=True), repeats)
    decimated = p50(ours(max_points=2000), repeats)
    filtered = p50(ours(max_points=2000, bandpass={"freq_min": 300.0, "freq_max": 6000.0}), max(3, repeats // 4))
    return [
        ("traces window 1 s x 384 ch (float32 payload)", full, base, "get_traces(return_in_uV=True)", 20.0),
        ("  same, payload copied into bytes", copied, None, "", None),
        ("  same, max_points=2000 (min/max)", decimated, None, "", None),
        ("  same, band-pass 300-6000 Hz", filtered, None, "", None),
    ]


def bench_waveform(recording: sc.BaseRecording, repeats: int) -> list[tuple]:
    sorting = sc.generate_sorting(
        num_units=5, sampling_frequency=FS, durations=[RECORDING_SECONDS], firing_rates=80.0, seed=1
    )
    unit = sorting.unit_ids[0].item()
    data = DictDataSource({"rec": recording, "sorting": sorting})
    request = {"recording_uri": "rec", "sorting_uri": "sorting", "unit_ids": unit, "max_spikes": 500}
    ours = p50(lambda: run_handler("sortingview.average_waveforms.1", request, data), repeats)

    def baseline() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            analyzer = sc.create_sorting_analyzer(
                sorting.select_units([unit]), recording, sparse=False, format="memory", verbose=False
            )
        analyzer.compute(
            {
                "random_spikes": {"max_spikes_per_unit": 500, "seed": 0},
                "templates": {"operators": ["average", "std"]},
            },
            verbose=False,
            n_jobs=1,
            progress_bar=False,
        )

    base = p50(baseline, max(3, repeats // 4))
    num_spikes = len(sorting.get_unit_spike_train(unit))
    return [
        (f"average waveform, 500 of {num_spikes} spikes x 384 ch", ours, base, "analyzer random_spikes+templates", None)
    ]


def print_table(rows: list[tuple]) -> None:
    header = f"{'measure':<58} {'ours p50':>10} {'baseline':>10}  {'baseline is':<32} {'target':>8}  ok"
    print(header)
    print("-" * len(header))
    for name, ours, base, base_name, target in rows:
        base_text = f"{base:8.1f}ms" if base is not None else ""
        target_text = f"<{target:.0f}ms" if target is not None else ""
        ok = "" if target is None else ("yes" if ours < target else "NO")
        print(f"{name:<58} {ours:8.1f}ms {base_text:>10}  {base_name:<32} {target_text:>8}  {ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the binary recording in /tmp/sv-bench-handlers")
    args = parser.parse_args()
    # SpikeInterface's own progress bars would interleave with the table.
    sc.set_global_job_kwargs(n_jobs=1, progress_bar=False)
    folder = Path("/tmp/sv-bench-handlers") if args.keep else Path(tempfile.mkdtemp(prefix="sv-bench-handlers-"))
    try:
        recording = make_recording(folder / "recording")
        rows = bench_correlogram(args.repeats)
        rows += bench_traces(recording, args.repeats)
        rows += bench_waveform(recording, args.repeats)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print_table(rows)


if __name__ == "__main__":
    main()
