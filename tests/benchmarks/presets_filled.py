"""Build a large preset's analyzer from the generator's ground truth instead of from its recording.

At an hour of 384 channels (166 GB of generated float32) the extensions that read traces
(waveforms, templates, spike_amplitudes) would take many hours on two cores. Everything the
sorting summary shows is known without reading them, because the recording is generated:

- the sorting is the generator's (``generate_sorting``), at per-unit firing rates drawn from a
  lognormal distribution (most units fire a few Hz, a few fire tens of Hz);
- the templates are the generator's templates (``generate_templates``, through
  ``generate_ground_truth_recording``): the very waveforms it injects into the recording; their
  standard deviation is the generator's noise level;
- each spike's amplitude is what ``spike_amplitudes`` would read at the spike's sample on the
  unit's main channel: the template's value at its peak (the generator scales no template, its
  amplitude factor is 1) plus a draw of the generator's Gaussian noise;
- the correlograms of every pair of units are counted exactly as SpikeInterface's
  ``compute_correlograms`` counts them (same bins, same lag convention), by a kernel walking
  the time-ordered spikes around each spike of one reference unit at a time (its row of counts stays in cache):
  SpikeInterface 0.105's kernel (multithreaded above 300 units) took 42 s for 229 k spikes of
  1,000 units here, and had not finished the 22.9 M after 20 minutes;
- sparsity, ``random_spikes``, ``noise_levels``, ``unit_locations`` (``center_of_mass``),
  ``template_similarity``, ``template_metrics`` and the quality metrics that do not read traces
  are computed by SpikeInterface as usual, from the sorting and the templates.

The filled extensions are SpikeInterface's own extension classes with their own parameters and
data layout, saved like computed ones, so ``load_sorting_analyzer`` and ``plot_sorting_summary``
read the folder as any analyzer. The ``waveforms`` extension is absent (one hour of snippets is
what the fill avoids), so the templates have no percentile shading; the quality metrics that
need the recording or principal components (``sd_ratio``, ``drift``, PCA metrics) and the slow
``sliding_rp_violation`` are not computed.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numba
import numpy as np

from spikeinterface_sortingview.demo import DEMO_QUALITY_METRICS

# Quality metrics computed from spikes, amplitudes, templates and noise levels only: the demo's, less those that
# read waveforms or traces.
FILLED_QUALITY_METRICS = [m for m in DEMO_QUALITY_METRICS if m not in ("sliding_rp_violation", "sd_ratio")]

# The generator's defaults (generate_ground_truth_recording): template window and noise level.
MS_BEFORE = 1.0
MS_AFTER = 3.0
NOISE_LEVEL = 5.0
SPARSITY_RADIUS_UM = 100.0


def firing_rates(preset) -> np.ndarray:
    """Per-unit firing rates: lognormal around ``firing_rate_hz`` (median), clipped to 0.2-80 Hz."""
    rng = np.random.default_rng(preset.seed)
    rates = rng.lognormal(np.log(preset.firing_rate_hz), preset.rate_sigma, preset.num_units)
    return np.clip(rates, 0.2, 80.0)


def fill_extension(analyzer, name: str, params: dict, data: dict):
    """Save ``data`` as the extension ``name`` with ``params``, as if SpikeInterface had computed it."""
    from spikeinterface.core.sortinganalyzer import get_extension_class

    extension = get_extension_class(name)(analyzer)
    extension.set_params(**params)
    for key, value in data.items():
        extension.set_data(key, value)
    extension.run_info["run_completed"] = True
    extension.run_info["runtime_s"] = 0.0
    extension.save()
    analyzer.extensions[name] = extension
    return extension


def ground_truth_amplitudes(analyzer, templates: np.ndarray, seed: int) -> np.ndarray:
    """Each spike's amplitude: its template's peak on the unit's main channel plus a draw of the noise."""
    from spikeinterface.core.template_tools import get_template_peak_shift_on_main_channel

    # What spike_amplitudes reads: the main channel, at the template's peak shift from the spike's sample.
    nbefore = templates.shape[1] - int(round(MS_AFTER * analyzer.sampling_frequency / 1000))
    main_channels = analyzer.get_main_channels(outputs="index")
    shifts = get_template_peak_shift_on_main_channel(analyzer, with_dict=False)
    units = np.arange(analyzer.get_num_units())
    peaks = templates[units, nbefore + shifts, main_channels].astype("float32")
    spikes = analyzer.sorting.to_spike_vector()
    rng = np.random.default_rng(seed)
    amplitudes = peaks[spikes["unit_index"]]
    amplitudes += rng.normal(0.0, NOISE_LEVEL, size=amplitudes.size).astype("float32")
    return amplitudes


@numba.njit(parallel=True, cache=False)
def _count_all_pairs(
    frames, units, by_unit, unit_starts, half_window, bin_size, num_half_bins, counts
):  # pragma: no cover
    # One reference unit per iteration (its row of counts, units x bins, stays in cache; rows are
    # written by one thread each). For each of its spikes i, every other spike j with
    # lag = t_i - t_j in [-half_window, half_window) goes to bin num_half_bins + lag // bin_size:
    # SpikeInterface's convention.
    n = frames.size
    for u in numba.prange(unit_starts.size - 1):
        for k in range(unit_starts[u], unit_starts[u + 1]):
            i = by_unit[k]
            t = frames[i]
            j = i - 1
            while j >= 0 and t - frames[j] < half_window:
                counts[u, units[j], num_half_bins + (t - frames[j]) // bin_size] += 1
                j -= 1
            j = i + 1
            while j < n and frames[j] - t <= half_window:
                counts[u, units[j], num_half_bins + (t - frames[j]) // bin_size] += 1
                j += 1


def all_correlograms(sorting, window_ms: float = 50.0, bin_ms: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Correlograms of every pair of units, as ``compute_correlograms(sorting, window_ms, bin_ms)`` returns them."""
    from spikeinterface.postprocessing.correlograms import _compute_num_bins, _make_bins

    bins, half_window, bin_size = _make_bins(sorting, window_ms, bin_ms)
    num_bins, num_half_bins = _compute_num_bins(half_window, bin_size)
    num_units = sorting.get_num_units()
    counts = np.zeros((num_units, num_units, num_bins), dtype=np.int64)
    for spikes in sorting.to_spike_vector(concatenated=False):
        frames = spikes["sample_index"].astype(np.int64)
        units = spikes["unit_index"].astype(np.int32)
        by_unit = np.argsort(units, kind="stable")
        unit_starts = np.concatenate([[0], np.cumsum(np.bincount(units, minlength=num_units))])
        _count_all_pairs(frames, units, by_unit, unit_starts, half_window, bin_size, num_half_bins, counts)
    return counts, bins


def build_filled_analyzer(preset, probe, folder: Path, job_kwargs: dict) -> dict:
    """Build ``preset``'s analyzer into ``folder`` from the generator's ground truth (see the module docstring).

    Returns the number of spikes and the seconds each step took.
    """
    from spikeinterface.core import (
        Templates,
        compute_sparsity,
        create_sorting_analyzer,
        generate_ground_truth_recording,
    )

    steps = {}
    start = time.perf_counter()
    recording, sorting = generate_ground_truth_recording(
        durations=[preset.duration_s],
        sampling_frequency=preset.sampling_frequency,
        num_units=preset.num_units,
        probe=probe,
        ms_before=MS_BEFORE,
        ms_after=MS_AFTER,
        generate_sorting_kwargs={"firing_rates": firing_rates(preset), "refractory_period_ms": 4.0},
        noise_kwargs={"noise_levels": NOISE_LEVEL, "strategy": "on_the_fly"},
        seed=preset.seed,
    )
    # The very array InjectTemplatesRecording adds to the noise, shaped (units, samples, channels).
    templates = np.asarray(recording._kwargs["templates"], dtype="float32")
    steps["generate"] = time.perf_counter() - start

    t = time.perf_counter()
    nbefore = int(round(MS_BEFORE * preset.sampling_frequency / 1000))
    sparsity = compute_sparsity(
        Templates(
            templates_array=templates,
            sampling_frequency=preset.sampling_frequency,
            nbefore=nbefore,
            channel_ids=recording.channel_ids,
            unit_ids=sorting.unit_ids,
            probe=recording.get_probe(),
            is_in_uV=True,
        ),
        method="radius",
        radius_um=SPARSITY_RADIUS_UM,
        peak_sign="both",
        amplitude_mode="extremum",
    )
    with warnings.catch_warnings():
        # "recording is not serializable": the analyzer is saved recordingless, see presets.py.
        warnings.simplefilter("ignore", UserWarning)
        analyzer = create_sorting_analyzer(
            sorting, recording, format="binary_folder", folder=folder, sparsity=sparsity, return_in_uV=True
        )
    steps["analyzer"] = time.perf_counter() - t

    t = time.perf_counter()
    analyzer.compute({"random_spikes": {"method": "uniform", "max_spikes_per_unit": 500, "seed": 0}})
    fill_extension(
        analyzer,
        "templates",
        {"ms_before": MS_BEFORE, "ms_after": MS_AFTER, "operators": ["average", "std"]},
        {"average": templates, "std": np.full_like(templates, NOISE_LEVEL)},
    )
    analyzer.compute("noise_levels", **job_kwargs)
    steps["templates"] = time.perf_counter() - t

    t = time.perf_counter()
    fill_extension(
        analyzer, "spike_amplitudes", {}, {"amplitudes": ground_truth_amplitudes(analyzer, templates, preset.seed)}
    )
    steps["spike_amplitudes"] = time.perf_counter() - t

    t = time.perf_counter()
    ccgs, bins = all_correlograms(sorting)
    fill_extension(analyzer, "correlograms", {"window_ms": 50.0, "bin_ms": 1.0}, {"ccgs": ccgs, "bins": bins})
    del ccgs
    steps["correlograms"] = time.perf_counter() - t
    print(f"  correlograms: {steps['correlograms']:.1f} s", flush=True)

    for name, params in [
        ("unit_locations", {"method": "center_of_mass"}),
        ("template_similarity", {}),
        ("quality_metrics", {"metric_names": FILLED_QUALITY_METRICS}),
        ("template_metrics", {}),
    ]:
        t = time.perf_counter()
        analyzer.compute(name, **params, **job_kwargs)
        steps[name] = time.perf_counter() - t
        print(f"  {name}: {steps[name]:.1f} s", flush=True)
    return {
        "num_spikes": int(sorting.count_total_num_spikes()),
        "build_seconds": round(time.perf_counter() - start, 1),
        "step_seconds": {name: round(s, 1) for name, s in steps.items()},
    }
