"""Benchmark presets: synthetic recordings and sorting analyzers, computed once and cached on disk.

A preset names a probe, a duration and a number of units. ``get_analyzer`` builds
the preset's sparse analyzer with every extension the sorting summary reads and
saves it as a ``binary_folder`` under ``<cache_dir>/<name>-<key>/analyzer``; later
calls load it from there. The key is a hash of the preset's parameters, so editing
a preset builds a new cache entry instead of reusing a stale one.

The analyzer is saved *without* its recording: the generated recording is lazy
(noise and spikes made on the fly) and is not serializable unless its traces are
written out (``recording.save``), which for the Neuropixels preset would be
384 channels x 600 s x 30 kHz x 4 bytes = 27.6 GB. The sorting summary only reads
extensions and the recording's attributes (probe, channel locations, sampling
frequency), which the analyzer folder keeps, so a recordingless analyzer is enough.

The ``hour`` preset (384 channels, 60 min, 1,000 units, 22.9 M spikes) is too long to read:
its traces are 166 GB of float32, and waveforms, templates and spike_amplitudes would traverse
them for hours on two cores. It is built from the generator's ground truth instead (its sorting,
its templates, amplitudes as template peak plus noise), with SpikeInterface computing every
extension that does not read traces; ``presets_filled.py`` says exactly how.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

DEFAULT_CACHE_DIR = Path("/tmp/sv-bench-cache")

# Extensions read by plot_sorting_summary (and its units table), in dependency order.
SUMMARY_EXTENSIONS: dict[str, dict] = {
    "random_spikes": {"method": "uniform", "max_spikes_per_unit": 500, "seed": 0},
    "waveforms": {},
    "templates": {},
    "noise_levels": {},
    "correlograms": {},
    "template_similarity": {},
    "spike_amplitudes": {},
    "unit_locations": {},
    "quality_metrics": {},
    "template_metrics": {},
}

# Template percentiles drawn by plot_sorting_summary's waveforms (UnitTemplatesWidget's default
# templates_percentile_shading). SpikeInterface computes them from the waveforms on first use and
# saves them into the analyzer; the build does it, so that no benchmark run pays or writes it.
TEMPLATE_PERCENTILES = (1, 25, 75, 99)

# Written last into a cache entry; an entry without it is a crashed build and is rebuilt.
COMPLETE_MARKER = "complete.json"


@dataclass(frozen=True)
class Preset:
    """A synthetic dataset: probe, duration and units of a ground-truth recording.

    Attributes
    ----------
    name : str
        Short name used on the command line and in the cache folder name.
    probe : str
        ``"grid"`` for a generated 2-column probe of ``num_channels`` contacts,
        ``"NP1000"`` for Neuropixels 1.0 geometry (bank 0, the first ``num_channels`` contacts).
    num_channels : int
        Number of recorded channels.
    duration_s : float
        Recording duration in seconds.
    num_units : int
        Number of ground-truth units.
    firing_rate_hz : float
        Firing rate of every unit, or with ``rate_sigma`` > 0 their median.
    sampling_frequency : float
        Sampling frequency in Hz.
    seed : int
        Seed of the generator (the data are deterministic).
    rate_sigma : float
        Sigma of the lognormal distribution of per-unit firing rates (0: every unit at ``firing_rate_hz``).
    build : str
        ``"extract"``: every extension computed from the generated recording (``build_analyzer``);
        ``"filled"``: templates, amplitudes and the sorting taken from the generator's ground truth,
        the rest computed without reading traces (``presets_filled.py``), for sizes whose traces are
        too long to read.
    """

    name: str
    probe: str
    num_channels: int
    duration_s: float
    num_units: int
    firing_rate_hz: float = 15.0
    sampling_frequency: float = 30000.0
    seed: int = 2205
    rate_sigma: float = 0.0
    build: str = "extract"

    def key(self) -> str:
        """A short hash of the parameters, part of the cache folder name."""
        params = asdict(self)
        # Fields added after the first presets leave the key out at their defaults, so that
        # existing cache entries keep their names.
        for name, default in LATER_FIELD_DEFAULTS.items():
            if params[name] == default:
                del params[name]
        text = json.dumps(params, sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def describe(self) -> str:
        """One line for tables: channels, duration and units."""
        minutes = self.duration_s / 60
        duration = f"{minutes:g} min" if self.duration_s >= 60 else f"{self.duration_s:g} s"
        return f"{self.num_channels} ch, {duration}, {self.num_units} units"


LATER_FIELD_DEFAULTS = {"rate_sigma": 0.0, "build": "extract"}

PRESETS: dict[str, Preset] = {
    "small": Preset(name="small", probe="grid", num_channels=32, duration_s=60.0, num_units=20),
    "neuropixels": Preset(name="neuropixels", probe="NP1000", num_channels=384, duration_s=600.0, num_units=300),
    # An hour of Neuropixels with 1,000 units at lognormal rates (median 4 Hz, mean 6.4 Hz): 22.9 M spikes.
    # Built from the generator's ground truth (presets_filled.py): its traces are 166 GB of float32.
    "hour": Preset(
        name="hour",
        probe="NP1000",
        num_channels=384,
        duration_s=3600.0,
        num_units=1000,
        firing_rate_hz=4.0,
        rate_sigma=1.0,
        build="filled",
    ),
}

# Presets that ``all`` runs in the benchmarks; the hour is asked for by name.
DEFAULT_PRESETS = ["small", "neuropixels"]


def make_probe(preset: Preset):
    """The probe of a preset, wired to channels ``0 .. num_channels - 1``; None lets the generator make a grid."""
    if preset.probe == "grid":
        return None
    from probeinterface.neuropixels_tools import build_neuropixels_probe

    full = build_neuropixels_probe(preset.probe)
    probe = full.get_slice(np.arange(preset.num_channels))
    probe.set_device_channel_indices(np.arange(preset.num_channels))
    return probe


def generate_recording(preset: Preset):
    """The preset's lazy ground-truth recording and sorting (deterministic, made offline)."""
    from spikeinterface.core import generate_ground_truth_recording

    return generate_ground_truth_recording(
        durations=[preset.duration_s],
        sampling_frequency=preset.sampling_frequency,
        num_channels=preset.num_channels,
        num_units=preset.num_units,
        probe=make_probe(preset),
        generate_sorting_kwargs={"firing_rates": preset.firing_rate_hz, "refractory_period_ms": 4.0},
        seed=preset.seed,
    )


def analyzer_folder(preset: Preset, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Where the preset's analyzer is cached."""
    return Path(cache_dir) / f"{preset.name}-{preset.key()}" / "analyzer"


def build_analyzer(preset: Preset, folder: Path, n_jobs: int = 1) -> dict:
    """Compute the preset's sparse analyzer with the summary extensions into ``folder``.

    Returns facts about the build (spikes, seconds) that are written to the completion marker.
    """
    from spikeinterface.core import create_sorting_analyzer

    start = time.perf_counter()
    if folder.parent.exists():
        shutil.rmtree(folder.parent)
    folder.parent.mkdir(parents=True)
    job_kwargs = {"n_jobs": n_jobs, "chunk_duration": "1s", "progress_bar": False}
    if preset.build == "filled":
        from presets_filled import build_filled_analyzer

        facts = {"preset": asdict(preset), **build_filled_analyzer(preset, make_probe(preset), folder, job_kwargs)}
        facts["size_bytes"] = folder_size(folder)
        (folder.parent / COMPLETE_MARKER).write_text(json.dumps(facts, indent=2))
        return facts
    recording, sorting = generate_recording(preset)
    with warnings.catch_warnings():
        # "recording is not serializable": expected, see the module docstring.
        warnings.simplefilter("ignore", UserWarning)
        analyzer = create_sorting_analyzer(
            sorting, recording, format="binary_folder", folder=folder, sparse=True, job_kwargs=job_kwargs
        )
        analyzer.compute(SUMMARY_EXTENSIONS, **job_kwargs)
        templates = analyzer.get_extension("templates")
        for percentile in TEMPLATE_PERCENTILES:
            templates.get_templates(operator="percentile", percentile=percentile, save=True)
    facts = {
        "preset": asdict(preset),
        "num_spikes": int(sorting.count_total_num_spikes()),
        "build_seconds": round(time.perf_counter() - start, 1),
    }
    (folder.parent / COMPLETE_MARKER).write_text(json.dumps(facts, indent=2))
    return facts


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


def get_analyzer_folder(preset: Preset, cache_dir: Path = DEFAULT_CACHE_DIR, n_jobs: int = 1) -> tuple[Path, dict]:
    """The folder of the preset's cached analyzer, built first if the cache has no complete entry."""
    folder = analyzer_folder(preset, cache_dir)
    marker = folder.parent / COMPLETE_MARKER
    if marker.is_file():
        return folder, json.loads(marker.read_text())
    return folder, build_analyzer(preset, folder, n_jobs=n_jobs)


def load_analyzer(folder: Path, read_only: bool = True):
    """Load a cached analyzer (recordingless, see the module docstring).

    Read-only by default, so that nothing a benchmark run computes on demand is saved into the cache.
    """
    from spikeinterface.core import load_sorting_analyzer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_sorting_analyzer(folder, load_extensions=True, read_only=read_only)
