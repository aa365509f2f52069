"""Average waveforms (mean and standard deviation) of a unit or a merge group, from a random subset of spikes."""

from __future__ import annotations

import numba
import numpy as np

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput
from ..handler_io.result import HandlerResult
from ..handler_io.snippet_inputs import SNIPPET_KEYS, SnippetRequest, read_snippet_request
from ..handler_io.trace_reading import TraceReader, data_units

DEFAULT_MAX_SPIKES = 500
MAX_SPIKES = 5000


@numba.njit(cache=True, nogil=True)
def _mean_std(snippets):  # pragma: no cover - numba
    """Mean and (population) standard deviation over the first axis, accumulated in float64 in one pass.

    numpy's ``mean`` + ``std`` take several passes and temporaries over (spikes x samples x
    channels); this one pass is about five times faster for 500 x 90 x 384.
    """
    n, num_samples, num_channels = snippets.shape
    total = np.zeros((num_samples, num_channels))
    squares = np.zeros((num_samples, num_channels))
    for i in range(n):
        for s in range(num_samples):
            for c in range(num_channels):
                v = np.float64(snippets[i, s, c])
                total[s, c] += v
                squares[s, c] += v * v
    mean = total / n
    variance = squares / n - mean * mean
    return mean, np.sqrt(np.maximum(variance, 0.0))


def group_snippets(request: SnippetRequest, max_spikes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Snippets (spikes x samples x channels) of up to ``max_spikes`` random spikes of the group, and their frames.

    Returns
    -------
    snippets : np.ndarray
        float32, µV when the recording is scaleable.
    spikes : tuple
        ``(segment_index, sample_index, unit_position)`` of the snippets' spikes.
    """
    selection = request.trains.select(request.unit_indices, request.segment_index, max_spikes, seed)
    reader = TraceReader(request.recording, request.channel_indices)
    snippets, kept = reader.snippets(selection, request.nbefore, request.nafter)
    spikes = (selection.segment_index[kept], selection.sample_index[kept], selection.unit_position[kept])
    return snippets, spikes


def average_waveforms(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.average_waveforms.1``: mean and std of a unit's (or merge group's) snippets.

    Input: ``recording_uri``, ``sorting_uri``, ``unit_ids`` (one id or a merge group),
    ``ms_before`` (1), ``ms_after`` (2), ``max_spikes`` (500, drawn at random with ``seed``, 0),
    ``channel_ids`` (default all), ``segment_index`` (default all).
    Output: ``unitIds, channelIds, waveform, waveformStdDev`` (float32, shaped
    (num_channels, num_samples) as ``AverageWaveforms`` reads them), ``numSpikes``,
    ``samplingFrequency, nbefore, dataUnits``.
    """
    task = TaskInput(
        task_input,
        required=("recording_uri", "sorting_uri", "unit_ids"),
        optional=(*SNIPPET_KEYS, "max_spikes", "seed"),
    )
    request = read_snippet_request(task, data)
    max_spikes = task.integer("max_spikes", DEFAULT_MAX_SPIKES, minimum=1, maximum=MAX_SPIKES)
    seed = task.integer("seed", 0, minimum=0)
    snippets, _ = group_snippets(request, max_spikes, seed)
    if len(snippets) == 0:
        raise HandlerInputError(
            f"units {request.unit_ids} have no spikes far enough from the segment edges for a waveform"
        )
    mean, std = _mean_std(snippets)
    return HandlerResult(
        {
            "unitIds": request.unit_ids,
            "channelIds": request.channel_ids,
            "waveform": np.ascontiguousarray(mean.T, dtype=np.float32),
            "waveformStdDev": np.ascontiguousarray(std.T, dtype=np.float32),
            "numSpikes": len(snippets),
            "samplingFrequency": float(request.recording.sampling_frequency),
            "nbefore": request.nbefore,
            "dataUnits": data_units(request.recording),
        }
    )


def group_template(
    request: SnippetRequest, unit_indices: list[int], max_spikes: int, seed: int = 0
) -> np.ndarray | None:
    """Mean snippet (samples x channels) of up to ``max_spikes`` random spikes of some units; None without spikes."""
    selection = request.trains.select(unit_indices, request.segment_index, max_spikes, seed)
    reader = TraceReader(request.recording, request.channel_indices)
    snippets, _ = reader.snippets(selection, request.nbefore, request.nafter)
    if len(snippets) == 0:
        return None
    return _mean_std(snippets)[0].astype(np.float32)
