"""Snippets of a unit or merge group (a random subset of its spikes) with their spike times."""

from __future__ import annotations

import numpy as np

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput
from ..handler_io.result import HandlerResult
from ..handler_io.snippet_inputs import SNIPPET_KEYS, read_snippet_request
from ..handler_io.trace_reading import data_units
from .waveforms import group_snippets

DEFAULT_MAX_SPIKES = 100
MAX_SPIKES = 5000
# Values returned (spikes x samples x channels): 32 MB of float32.
MAX_OUTPUT_VALUES = 8 * 1024 * 1024


def snippets(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.snippets.1``: snippets around up to ``max_spikes`` random spikes of a unit or merge group.

    Input: ``recording_uri``, ``sorting_uri``, ``unit_ids`` (one id or a merge group),
    ``ms_before`` (1), ``ms_after`` (2), ``max_spikes`` (100), ``seed`` (0), ``channel_ids``
    (default all), ``segment_index`` (default all).
    Output: ``snippets`` float32 (num_spikes, num_samples, num_channels), ``spikeTimesSec``
    float32 (relative to the segment start), ``spikeFrames`` int32, ``segmentIndices`` int32,
    ``spikeUnitIndices`` int32 (index into ``unitIds``), ``unitIds``, ``channelIds``,
    ``samplingFrequency``, ``nbefore``, ``dataUnits``. Spikes too close to a segment edge are left out.
    """
    task = TaskInput(
        task_input,
        required=("recording_uri", "sorting_uri", "unit_ids"),
        optional=(*SNIPPET_KEYS, "max_spikes", "seed"),
    )
    request = read_snippet_request(task, data)
    max_spikes = task.integer("max_spikes", DEFAULT_MAX_SPIKES, minimum=1, maximum=MAX_SPIKES)
    seed = task.integer("seed", 0, minimum=0)
    num_channels = len(request.channel_ids)
    values = max_spikes * (request.nbefore + request.nafter) * num_channels
    if values > MAX_OUTPUT_VALUES:
        raise HandlerInputError(
            f"max_spikes={max_spikes} snippets of {request.nbefore + request.nafter} samples x {num_channels} channels "
            f"would be {values} values; at most {MAX_OUTPUT_VALUES}: select fewer channel_ids or lower max_spikes"
        )
    snippet_array, (segment_index, sample_index, unit_position) = group_snippets(request, max_spikes, seed)
    fs = request.recording.sampling_frequency
    return HandlerResult(
        {
            "snippets": snippet_array,
            "spikeTimesSec": (sample_index / fs).astype(np.float32),
            "spikeFrames": sample_index.astype(np.int32),
            "segmentIndices": segment_index.astype(np.int32),
            "spikeUnitIndices": unit_position.astype(np.int32),
            "unitIds": request.unit_ids,
            "channelIds": request.channel_ids,
            "samplingFrequency": float(fs),
            "nbefore": request.nbefore,
            "dataUnits": data_units(request.recording),
        }
    )
