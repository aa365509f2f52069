"""The spikes of a sorting inside a time window, to overlay on a traces window."""

from __future__ import annotations

import numpy as np

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, plain_id
from ..handler_io.result import HandlerResult

MAX_SPIKES = 1_000_000


def spike_vector(data: DataSource, sorting_uri: str) -> np.ndarray:
    """The sorting's spike vector (sorted by segment, then sample), built once per sorting."""
    return data.derived(("spike_vector", sorting_uri), lambda: data.sorting(sorting_uri).to_spike_vector())


def spikes_window(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.spikes_window.1``: every spike of a segment between two frames.

    Input: ``sorting_uri``, ``segment_index`` (0), ``start_frame``, ``end_frame``.
    Output: ``unitIds`` (all units of the sorting), ``spikeFrames`` int32, ``spikeUnitIndices`` int32
    (index into ``unitIds``), ``startFrame``, ``endFrame``, ``segmentIndex``.
    """
    task = TaskInput(task_input, required=("sorting_uri", "start_frame", "end_frame"), optional=("segment_index",))
    sorting_uri = task.string("sorting_uri")
    sorting = data.sorting(sorting_uri)
    segment_index = task.integer("segment_index", 0, minimum=0, maximum=sorting.get_num_segments() - 1)
    start = task.integer("start_frame", minimum=0)
    end = task.integer("end_frame", minimum=0)
    if end <= start:
        raise HandlerInputError(f"end_frame ({end}) must be greater than start_frame ({start})")
    spikes = spike_vector(data, sorting_uri)
    lo, hi = np.searchsorted(spikes["segment_index"], [segment_index, segment_index + 1])
    samples = spikes["sample_index"][lo:hi]
    first, last = np.searchsorted(samples, [start, end])
    if last - first > MAX_SPIKES:
        raise HandlerInputError(
            f"the window holds {last - first} spikes, more than {MAX_SPIKES}; ask for a shorter window"
        )
    window = spikes[lo + first : lo + last]
    return HandlerResult(
        {
            "unitIds": [plain_id(u) for u in sorting.unit_ids],
            "spikeFrames": window["sample_index"].astype(np.int32),
            "spikeUnitIndices": window["unit_index"].astype(np.int32),
            "startFrame": start,
            "endFrame": end,
            "segmentIndex": segment_index,
        }
    )
