"""Make a sorting summary figure from a generated recording and print its figURL.

Run ``python -m spikeinterface_sortingview.demo``; it needs no data, no network and no account.
"""

from __future__ import annotations

import argparse

import spikeinterface.full as si

import spikeinterface_sortingview  # noqa: F401  (registers backend="sortingview")
from spikeinterface_sortingview.numba_cache import cache_spikeinterface_kernels

SUMMARY_EXTENSIONS = [
    "random_spikes",
    "waveforms",
    "templates",
    "noise_levels",
    "correlograms",
    "template_similarity",
    "spike_amplitudes",
    "unit_locations",
    "quality_metrics",
    "template_metrics",
]
# The quality metrics these extensions allow: SpikeInterface's default list also has the ones that need
# principal components or spike locations, and warns that it skips them.
DEMO_QUALITY_METRICS = [
    "num_spikes",
    "firing_rate",
    "presence_ratio",
    "snr",
    "isi_violation",
    "rp_violation",
    "sliding_rp_violation",
    "synchrony",
    "firing_range",
    "amplitude_cv",
    "amplitude_cutoff",
    "noise_cutoff",
    "amplitude_median",
    "sd_ratio",
]


# A summary's parameters (``W.spikesortingview(params=...)``, the runner's summary job) and their defaults.
SUMMARY_PARAMS = {"max_spikes_per_unit": 500, "ms_before": 1.0, "ms_after": 2.0, "metric_names": DEMO_QUALITY_METRICS}


def summary_extension_params(params: dict | None = None) -> dict:
    """SpikeInterface's extension parameters for a summary's ``params`` (keys of ``SUMMARY_PARAMS``; defaults filled)."""
    filled = {**SUMMARY_PARAMS, **(params or {})}
    return {
        "random_spikes": {"max_spikes_per_unit": filled["max_spikes_per_unit"], "seed": 0},
        "waveforms": {"ms_before": filled["ms_before"], "ms_after": filled["ms_after"]},
        "quality_metrics": {"metric_names": filled["metric_names"]},
    }


def make_demo_analyzer(num_units: int = 10, num_channels: int = 32, duration: float = 60.0, seed: int = 0):
    """A sparse analyzer of a generated ground-truth recording with the sorting summary's extensions."""
    recording, sorting = si.generate_ground_truth_recording(
        durations=[duration], num_units=num_units, num_channels=num_channels, seed=seed
    )
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=True)
    cache_spikeinterface_kernels()  # a second run loads SpikeInterface's compiled kernels instead of compiling them
    analyzer.compute(
        SUMMARY_EXTENSIONS,
        extension_params={"quality_metrics": {"metric_names": DEMO_QUALITY_METRICS}},
        verbose=False,
        progress_bar=False,
    )
    return analyzer


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--num-units", type=int, default=10)
    parser.add_argument("--num-channels", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--label", default="spikeinterface-sortingview demo")
    args = parser.parse_args(argv)
    analyzer = make_demo_analyzer(args.num_units, args.num_channels, args.duration)
    # display=True prints the figURL (and how to serve it when no runner answers)
    widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, figlabel=args.label)
    return widget.url


if __name__ == "__main__":
    main()
