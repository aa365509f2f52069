"""Per-unit metrics for the units table: spike count, firing rate, ISI violations, SNR, peak channel."""

from __future__ import annotations

import numpy as np
from spikeinterface.core import BaseRecording

from ..handler_io.data import DataSource
from ..handler_io.inputs import TaskInput
from ..handler_io.result import HandlerResult
from ..handler_io.snippet_inputs import read_snippet_request
from ..handler_io.spikes import SpikeTrains
from ..handler_io.trace_reading import TraceReader, peak_channel_position, peak_value
from .waveforms import group_template

DEFAULT_MAX_SPIKES = 100
MAX_SPIKES = 1000
DEFAULT_REFRACTORY_MS = 1.5
# Noise: the MAD of this many random chunks of this many samples, averaged (as SpikeInterface does).
NOISE_CHUNKS = 20
NOISE_CHUNK_SAMPLES = 10_000
# The MAD of a normal distribution is 0.6745 of its standard deviation.
MAD_TO_STD = 0.6744897501960817

COLUMNS = [
    {"key": "numSpikes", "label": "Num. spikes", "dtype": "int"},
    {"key": "firingRate", "label": "Firing rate (Hz)", "dtype": "float"},
    {"key": "isiViolationRate", "label": "ISI viol. rate", "dtype": "float"},
    {"key": "isiViolations", "label": "ISI viol.", "dtype": "int"},
    {"key": "snr", "label": "SNR", "dtype": "float"},
    {"key": "peakChannelId", "label": "Peak channel", "dtype": "str"},
]


def noise_levels(recording: BaseRecording, seed: int = 0) -> np.ndarray:
    """Per-channel noise (MAD / 0.6745) of random chunks, in the units TraceReader returns."""
    reader = TraceReader(recording)
    rng = np.random.default_rng(seed)
    levels = []
    for _ in range(NOISE_CHUNKS):
        segment = int(rng.integers(recording.get_num_segments()))
        num_samples = recording.get_num_samples(segment)
        size = min(NOISE_CHUNK_SAMPLES, num_samples)
        start = int(rng.integers(num_samples - size + 1))
        chunk = reader.window(segment, start, start + size)
        levels.append(np.median(np.abs(chunk - np.median(chunk, axis=0)), axis=0) / MAD_TO_STD)
    return np.mean(levels, axis=0)


def isi_violations(trains: SpikeTrains, unit_index: int, refractory_ms: float) -> tuple[int, int]:
    """(number of inter-spike intervals shorter than ``refractory_ms``, number of intervals), over all segments."""
    refractory_samples = refractory_ms * trains.sampling_frequency / 1000.0
    violations = intervals = 0
    for segment in range(trains.num_segments):
        isis = np.diff(trains.unit_train(unit_index, segment))
        violations += int(np.count_nonzero(isis < refractory_samples))
        intervals += len(isis)
    return violations, intervals


def unit_metrics(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.unit_metrics.1``: a units-table of metrics.

    Input: ``recording_uri``, ``sorting_uri``, ``unit_ids`` (default all), ``refractory_ms`` (1.5),
    ``peak_sign`` (``"neg"``), ``max_spikes`` (100 random spikes per unit for its template), ``seed``.
    Output: ``columns`` ``[{key, label, dtype}]`` and ``rows`` ``[{unitId, values}]`` as
    ``UnitsTable`` reads them; values are ``numSpikes``, ``firingRate`` (spikes / recording
    duration, Hz), ``isiViolations`` (intervals shorter than ``refractory_ms``),
    ``isiViolationRate`` (that count / number of intervals; left out for units with < 2 spikes),
    ``snr`` (template peak on the peak channel / that channel's noise, MAD-based; left out
    without spikes) and ``peakChannelId``. Also ``refractoryMs``.
    """
    task = TaskInput(
        task_input,
        required=("recording_uri", "sorting_uri"),
        optional=("unit_ids", "refractory_ms", "peak_sign", "max_spikes", "seed", "ms_before", "ms_after"),
    )
    request = read_snippet_request(task, data)
    refractory_ms = task.number("refractory_ms", DEFAULT_REFRACTORY_MS, minimum=0, maximum=100)
    peak_sign = task.choice("peak_sign", ("neg", "pos", "both"), "neg")
    max_spikes = task.integer("max_spikes", DEFAULT_MAX_SPIKES, minimum=1, maximum=MAX_SPIKES)
    seed = task.integer("seed", 0, minimum=0)
    recording, trains = request.recording, request.trains
    uri = task.string("recording_uri")
    noise = data.derived(("noise_levels", uri), lambda: noise_levels(recording))
    duration = sum(recording.get_num_samples(s) for s in range(recording.get_num_segments()))
    duration /= recording.sampling_frequency
    channel_ids = request.channel_ids

    rows = []
    for unit_index, unit_id in zip(request.unit_indices, request.unit_ids, strict=True):
        num_spikes = int(trains.spike_counts[unit_index])
        values: dict = {"numSpikes": num_spikes, "firingRate": num_spikes / duration}
        violations, intervals = isi_violations(trains, unit_index, refractory_ms)
        values["isiViolations"] = violations
        if intervals:
            values["isiViolationRate"] = violations / intervals
        template = group_template(request, [unit_index], max_spikes, seed)
        if template is not None:
            channel = peak_channel_position(template, peak_sign)
            values["peakChannelId"] = str(channel_ids[channel])
            if noise[channel] > 0:
                values["snr"] = abs(peak_value(template, channel, peak_sign)) / float(noise[channel])
        rows.append({"unitId": unit_id, "values": values})
    return HandlerResult({"columns": COLUMNS, "rows": rows, "refractoryMs": refractory_ms})
