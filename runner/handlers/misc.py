"""Spike amplitudes of a unit or merge group, and what a recording and a sorting are (info)."""

from __future__ import annotations

import numpy as np

from spikeinterface_sortingview.views.encoding import channel_locations_dict

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, plain_id
from ..handler_io.result import HandlerResult
from ..handler_io.snippet_inputs import read_snippet_request
from ..handler_io.trace_reading import TraceReader, data_units, peak_channel_position
from .waveforms import group_template

PEAK_SIGNS = ("neg", "pos", "both")
# Spikes used to find the peak channel of the group's template.
TEMPLATE_SPIKES = 200
MAX_SPIKES = 2_000_000


def spike_amplitudes(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.spike_amplitudes.1``: the amplitude of each spike on its group template's peak channel.

    Input: ``recording_uri``, ``sorting_uri``, ``unit_ids`` (one id or a merge group),
    ``segment_index`` (0), ``peak_sign`` (``"neg"``, ``"pos"`` or ``"both"``; default ``"neg"``),
    ``channel_ids`` (channels to search for the peak; default all), ``max_spikes`` (default all,
    else a random subset drawn with ``seed``).
    Output: ``unitIds``, ``spikeTimesSec`` float32 (relative to the segment start),
    ``spikeAmplitudes`` float32 (the trace value at the spike's sample), ``spikeUnitIndices`` int32
    (index into ``unitIds``), ``peakChannelId``, ``segmentIndex``, ``dataUnits``.
    """
    task = TaskInput(
        task_input,
        required=("recording_uri", "sorting_uri", "unit_ids"),
        optional=("segment_index", "peak_sign", "channel_ids", "max_spikes", "seed"),
    )
    request = read_snippet_request(task, data)
    segment_index = 0 if request.segment_index is None else request.segment_index
    request.segment_index = segment_index
    peak_sign = task.choice("peak_sign", PEAK_SIGNS, "neg")
    max_spikes = task.integer("max_spikes", MAX_SPIKES, minimum=1, maximum=MAX_SPIKES)
    seed = task.integer("seed", 0, minimum=0)

    template = group_template(request, request.unit_indices, TEMPLATE_SPIKES)
    if template is None:
        raise HandlerInputError(f"units {request.unit_ids} have no spikes in segment {segment_index}")
    position = peak_channel_position(template, peak_sign)
    peak_channel_id = request.channel_ids[position]
    peak_index = position if request.channel_indices is None else request.channel_indices[position]

    selection = request.trains.select(request.unit_indices, segment_index, max_spikes, seed)
    reader = TraceReader(request.recording, [peak_index])
    amplitudes = reader.samples(segment_index, selection.sample_index)[:, 0]
    fs = request.recording.sampling_frequency
    return HandlerResult(
        {
            "unitIds": request.unit_ids,
            "spikeTimesSec": (selection.sample_index / fs).astype(np.float32),
            "spikeAmplitudes": amplitudes,
            "spikeUnitIndices": selection.unit_position,
            "peakChannelId": peak_channel_id,
            "segmentIndex": segment_index,
            "dataUnits": data_units(request.recording),
        }
    )


def recording_info(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.recording_info.1``: sampling frequency, channels and their locations, segments, dtype.

    Input: ``recording_uri``.
    Output: ``samplingFrequency``, ``numChannels``, ``channelIds``, ``channelLocations``
    (``{str(channel_id): [x, y]}``, absent without a probe), ``numSegments``, ``numSamples``
    (per segment), ``durationSec`` (per segment), ``dtype``, ``dataUnits``.
    """
    task = TaskInput(task_input, required=("recording_uri",))
    recording = data.recording(task.string("recording_uri"))
    channel_ids = [plain_id(c) for c in recording.channel_ids]
    num_segments = recording.get_num_segments()
    num_samples = [int(recording.get_num_samples(s)) for s in range(num_segments)]
    info = {
        "samplingFrequency": float(recording.sampling_frequency),
        "numChannels": len(channel_ids),
        "channelIds": channel_ids,
        "numSegments": num_segments,
        "numSamples": num_samples,
        "durationSec": [n / recording.sampling_frequency for n in num_samples],
        "dtype": recording.get_dtype().name,
        "dataUnits": data_units(recording),
    }
    if recording.has_probe() or recording.get_property("location") is not None:
        info["channelLocations"] = channel_locations_dict(recording.channel_ids, recording.get_channel_locations())
    return HandlerResult(info)


def sorting_info(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.sorting_info.1``: unit ids, spike counts, segments, sampling frequency.

    Input: ``sorting_uri``.
    Output: ``unitIds``, ``spikeCounts`` (per unit, over all segments), ``numSpikes``,
    ``numSegments``, ``samplingFrequency``.
    """
    task = TaskInput(task_input, required=("sorting_uri",))
    trains = data.spike_trains(task.string("sorting_uri"))
    return HandlerResult(
        {
            "unitIds": [plain_id(u) for u in trains.unit_ids],
            "spikeCounts": [int(n) for n in trains.spike_counts],
            "numSpikes": int(trains.spike_counts.sum()),
            "numSegments": trains.num_segments,
            "samplingFrequency": trains.sampling_frequency,
        }
    )
