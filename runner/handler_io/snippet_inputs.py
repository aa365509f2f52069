"""Inputs shared by the handlers that read snippets around spikes: the recording/sorting pair, units, window, channels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spikeinterface.core import BaseRecording

from .data import DataSource
from .errors import HandlerInputError
from .inputs import TaskInput, plain_id, resolve_ids
from .spikes import SpikeTrains

SNIPPET_KEYS = ("recording_uri", "sorting_uri", "unit_ids", "ms_before", "ms_after", "channel_ids", "segment_index")
MAX_SNIPPET_MS = 20.0


@dataclass
class SnippetRequest:
    """What a snippet-reading request resolved to."""

    recording: BaseRecording
    trains: SpikeTrains
    unit_indices: list[int]
    nbefore: int
    nafter: int
    channel_indices: list[int] | None
    segment_index: int | None

    @property
    def unit_ids(self) -> list:
        return [plain_id(self.trains.unit_ids[u]) for u in self.unit_indices]

    @property
    def channel_ids(self) -> list:
        ids = self.recording.channel_ids
        if self.channel_indices is not None:
            ids = ids[self.channel_indices]
        return [plain_id(c) for c in ids]


def read_snippet_request(task: TaskInput, data: DataSource, max_units: int | None = None) -> SnippetRequest:
    """Resolve the recording, sorting, ``unit_ids`` (one unit or a merge group; absent: all), window and channels.

    Raises
    ------
    HandlerInputError
        When the recording and sorting disagree (sampling frequency, segments, a spike past the recording's end),
        or any value is invalid.
    """
    recording = data.recording(task.string("recording_uri"))
    trains = data.spike_trains(task.string("sorting_uri"))
    if not np.isclose(recording.sampling_frequency, trains.sampling_frequency):
        raise HandlerInputError(
            f"the recording samples at {recording.sampling_frequency} Hz but the sorting at "
            f"{trains.sampling_frequency} Hz; send the recording this sorting was made from"
        )
    if recording.get_num_segments() != trains.num_segments:
        raise HandlerInputError(
            f"the recording has {recording.get_num_segments()} segment(s) but the sorting {trains.num_segments}; "
            "send the recording this sorting was made from"
        )
    for segment, last_frame in enumerate(trains.last_frames):
        num_samples = recording.get_num_samples(segment)
        if last_frame >= num_samples:
            raise HandlerInputError(
                f"the sorting has a spike at frame {last_frame} of segment {segment}, but the recording's segment has "
                f"{num_samples} frames; send the recording this sorting was made from"
            )
    if task.has("unit_ids"):
        unit_indices = resolve_ids(task.raw("unit_ids"), trains.unit_ids, "unit_ids")
    else:  # only where a handler made unit_ids optional: every unit
        unit_indices = list(range(len(trains.unit_ids)))
    if max_units is not None and len(unit_indices) > max_units:
        raise HandlerInputError(f"unit_ids has {len(unit_indices)} units; at most {max_units} here")
    fs = recording.sampling_frequency
    ms_before = task.number("ms_before", 1.0, minimum=0, maximum=MAX_SNIPPET_MS)
    ms_after = task.number("ms_after", 2.0, minimum=0, maximum=MAX_SNIPPET_MS)
    nbefore, nafter = int(round(ms_before * fs / 1000)), int(round(ms_after * fs / 1000))
    if nbefore + nafter < 1:
        raise HandlerInputError("ms_before + ms_after is shorter than one sample; widen the window")
    channel_indices = None
    if task.has("channel_ids"):
        channel_indices = resolve_ids(task.raw("channel_ids"), recording.channel_ids, "channel_ids", kind="channel")
    segment_index = None
    if task.has("segment_index"):
        segment_index = task.integer("segment_index", minimum=0, maximum=trains.num_segments - 1)
    return SnippetRequest(recording, trains, unit_indices, nbefore, nafter, channel_indices, segment_index)
